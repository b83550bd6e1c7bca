// The routers and links of the mesh simulator (see mesh_network.h).
#include "problems/noc/mesh_network.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "core/error.h"

namespace tessel::noc {

namespace {

// Validate caps vcs at 12, so that a router's input VCs fit the bits of one uint64_t.
constexpr int kMaxRouterVcs = kPorts * 12;
static_assert(kMaxRouterVcs <= 64);

uint64_t Bit(int i) { return uint64_t{1} << i; }

// The ejection port's credits: the terminal takes a flit every cycle, so it never runs out.
constexpr int32_t kUnlimitedCredits = std::numeric_limits<int32_t>::max() / 2;

}  // namespace

MeshNetwork::MeshNetwork(const NocConfig& config, RoutingAlgorithm& routing, Rng routing_rng,
                         PacketPool& packets)
    : mesh_{config.k},
      vcs_(config.vcs),
      buffer_flits_(config.buffer_flits),
      packet_flits_(config.packet_flits),
      router_latency_(config.router_latency),
      link_latency_(config.link_latency),
      credit_latency_(config.credit_latency),
      vcs_per_class_(config.vcs / routing.vc_classes()),
      routing_(routing),
      adaptive_(routing.adaptive()),
      rng_(routing_rng),
      packets_(packets) {
  TESSEL_CHECK(vcs_per_class_ >= 1 && vcs_ <= kMaxRouterVcs / kPorts) << config.vcs;
  const int nodes = mesh_.nodes();
  const size_t vc_count = static_cast<size_t>(nodes) * kPorts * vcs_;
  inputs_.resize(vc_count);
  slots_.resize(vc_count * buffer_flits_);
  outputs_.resize(vc_count);
  neighbors_.resize(static_cast<size_t>(nodes) * kPorts);
  for (int node = 0; node < nodes; ++node)
    for (int port = 0; port < kPorts; ++port) {
      neighbors_[node * kPorts + port] = mesh_.Neighbor(node, port);
      // A port off the mesh keeps 0 credits; routing never picks it.
      int32_t credits = Neighbor(node, port) >= 0 ? buffer_flits_ : 0;
      if (port == kLocal) credits = kUnlimitedCredits;
      for (int vc = 0; vc < vcs_; ++vc) Output(node, port, vc).credits = credits;
    }
  occupied_.assign(nodes, 0);
  unallocated_.assign(nodes, 0);
  free_outputs_.assign(static_cast<size_t>(nodes) * kPorts,
                       static_cast<uint16_t>((1u << vcs_) - 1));
  vc_alloc_next_.assign(static_cast<size_t>(nodes) * kPorts, 0);
  switch_input_next_.assign(static_cast<size_t>(nodes) * kPorts, 0);
  switch_output_next_.assign(static_cast<size_t>(nodes) * kPorts, 0);
  const int wheel = std::max(link_latency_ + router_latency_, credit_latency_) + 1;
  flit_wheel_.resize(wheel);
  credit_wheel_.resize(wheel);
}

void MeshNetwork::Push(int node, int port, int vc, const Flit& flit) {
  const int index = VcIndex(node, port, vc);
  InputVc& in = inputs_[index];
  TESSEL_CHECK(in.count < buffer_flits_)
      << "credit flow control let VC buffer " << index << " overflow";
  int slot = in.front + in.count;
  if (slot >= buffer_flits_) slot -= buffer_flits_;
  slots_[index * buffer_flits_ + slot] = flit;
  if (in.count++ == 0) {
    const uint64_t bit = Bit(port * vcs_ + vc);
    occupied_[node] |= bit;
    if (in.out_vc < 0) unallocated_[node] |= bit;  // then this flit is a head
  }
}

int MeshNetwork::FreeInjectionSlots(int node, int vc) const {
  return buffer_flits_ - inputs_[VcIndex(node, kLocal, vc)].count;
}

void MeshNetwork::Inject(int node, int vc, int32_t packet, bool head, bool tail, int64_t now) {
  Push(node, kLocal, vc, Flit{now + router_latency_, packet, head, tail});
  ++flits_in_network_;
  ++flits_injected_;
}

void MeshNetwork::DeliverArrivals(int64_t now) {
  wheel_slot_ = static_cast<int>(now % static_cast<int64_t>(flit_wheel_.size()));
  const size_t slot = static_cast<size_t>(wheel_slot_);
  for (const FlitOnWire& f : flit_wheel_[slot]) {
    Push(f.node, f.port, f.vc, Flit{now, f.packet, f.head, f.tail});
  }
  flit_wheel_[slot].clear();
  for (const CreditOnWire& c : credit_wheel_[slot]) {
    OutputVc& out = Output(c.node, c.port, c.vc);
    ++out.credits;
    TESSEL_CHECK(out.credits <= buffer_flits_) << "more credits than buffer slots";
  }
  credit_wheel_[slot].clear();
}

void MeshNetwork::AllocateAndTraverse(int64_t now, std::vector<int32_t>& delivered) {
  for (int node = 0; node < mesh_.nodes(); ++node) {
    if (occupied_[node] == 0) continue;  // most routers, at low load
    if (unallocated_[node] != 0) AllocateVcs(node, now);
    if ((occupied_[node] & ~unallocated_[node]) != 0) AllocateSwitch(node, now, delivered);
  }
}

RouteQuery MeshNetwork::Query(int node, int port, const Packet& packet) const {
  return RouteQuery{node, port, packet.source, packet.destination, packet.vc_class};
}

void MeshNetwork::AllocateVcs(int node, int64_t now) {
  const int base = VcIndex(node, 0, 0);
  // The input VCs (router bits, ascending) whose head is ready and wants an output VC now.
  int requesters[kMaxRouterVcs];
  int count = 0;
  unsigned wanted_ports = 0;
  for (uint64_t mask = unallocated_[node]; mask != 0; mask &= mask - 1) {
    const int i = std::countr_zero(mask);
    InputVc& in = inputs_[base + i];
    const Flit& flit = Front(base + i);
    if (flit.ready > now) continue;
    TESSEL_CHECK(flit.head) << "a body flit at the front of an unallocated VC";
    if (in.out_port < 0 || adaptive_) {
      const Packet& packet = packets_[flit.packet];
      if (packet.destination == node) {
        in.out_port = kLocal;
      } else {
        const int class_begin = packet.vc_class * vcs_per_class_;
        const OutputPortView view(&outputs_[base], vcs_, class_begin, class_begin + vcs_per_class_);
        const int port = routing_.Route(Query(node, i / vcs_, packet), view, rng_);
        TESSEL_CHECK(port > kLocal && port < kPorts && Neighbor(node, port) >= 0)
            << "routing sent a packet at node " << node << " to port " << port;
        in.out_port = static_cast<int8_t>(port);
      }
    }
    requesters[count++] = i;
    wanted_ports |= 1u << in.out_port;
  }

  const int router_vcs = kPorts * vcs_;
  for (unsigned ports = wanted_ports; ports != 0; ports &= ports - 1) {
    const int port = std::countr_zero(ports);
    uint16_t& free_vcs = free_outputs_[node * kPorts + port];
    if (free_vcs == 0) continue;  // typical when saturated: every requester waits
    // Round robin: start at the first requester at or after the pointer, wrap around.
    uint8_t& next = vc_alloc_next_[node * kPorts + port];
    int first = 0;
    while (first < count && requesters[first] < next) ++first;
    int last_granted = -1;
    for (int j = 0; j < count && free_vcs != 0; ++j) {
      const int i = requesters[first + j < count ? first + j : first + j - count];
      InputVc& in = inputs_[base + i];
      if (in.out_port != port) continue;
      const Flit& flit = Front(base + i);
      Packet& packet = packets_[flit.packet];
      const unsigned class_vcs = ((1u << vcs_per_class_) - 1) << (packet.vc_class * vcs_per_class_);
      if ((free_vcs & class_vcs) == 0) continue;  // another requester may be of the other class
      const int granted_vc = std::countr_zero(free_vcs & class_vcs);
      free_vcs = static_cast<uint16_t>(free_vcs & ~(1u << granted_vc));
      Output(node, port, granted_vc).owner = base + i;
      in.out_vc = static_cast<int8_t>(granted_vc);
      unallocated_[node] &= ~Bit(i);
      last_granted = i;
      if (port != kLocal) {
        ++packet.hops;
        routing_.OnHeadForwarded(Query(node, i / vcs_, packet), port,
                                 now - (flit.ready - router_latency_));
      }
    }
    if (last_granted >= 0)
      next = static_cast<uint8_t>(last_granted + 1 < router_vcs ? last_granted + 1 : 0);
  }
}

int MeshNetwork::SwitchCandidate(int node, int port, unsigned vcs, int64_t now) {
  // Round robin: the VCs from the pointer up, then from 0 up to it.
  const int next = switch_input_next_[node * kPorts + port];
  const unsigned rotated[2] = {vcs >> next << next, vcs & ((1u << next) - 1)};
  for (unsigned mask : rotated)
    for (; mask != 0; mask &= mask - 1) {
      const int vc = std::countr_zero(mask);
      const int index = VcIndex(node, port, vc);
      const InputVc& in = inputs_[index];
      if (Front(index).ready > now) continue;
      if (Output(node, in.out_port, in.out_vc).credits <= 0) continue;
      return vc;
    }
  return -1;
}

void MeshNetwork::AllocateSwitch(int node, int64_t now, std::vector<int32_t>& delivered) {
  // Stage 1: each input port puts forward one VC whose front flit could move now.
  const uint64_t allocated = occupied_[node] & ~unallocated_[node];
  int chosen_vc[kPorts];
  int wanted_port[kPorts] = {-1, -1, -1, -1, -1};
  unsigned wanted_outputs = 0;
  for (int port = 0; port < kPorts; ++port) {
    const unsigned vcs = static_cast<unsigned>(allocated >> (port * vcs_)) & ((1u << vcs_) - 1);
    if (vcs == 0) continue;
    chosen_vc[port] = SwitchCandidate(node, port, vcs, now);
    if (chosen_vc[port] < 0) continue;
    wanted_port[port] = inputs_[VcIndex(node, port, chosen_vc[port])].out_port;
    wanted_outputs |= 1u << wanted_port[port];
  }
  // Stage 2: each output port takes one of the input ports that want it.
  for (unsigned outputs = wanted_outputs; outputs != 0; outputs &= outputs - 1) {
    const int out = std::countr_zero(outputs);
    uint8_t& next = switch_output_next_[node * kPorts + out];
    int port = next;
    for (int j = 0; j < kPorts; ++j, port = port + 1 < kPorts ? port + 1 : 0) {
      if (wanted_port[port] != out) continue;
      Traverse(node, port, chosen_vc[port], now, delivered);
      next = static_cast<uint8_t>(port + 1 < kPorts ? port + 1 : 0);
      switch_input_next_[node * kPorts + port] =
          static_cast<uint8_t>(chosen_vc[port] + 1 < vcs_ ? chosen_vc[port] + 1 : 0);
      break;
    }
  }
}

void MeshNetwork::Traverse(int node, int port, int vc, int64_t now,
                           std::vector<int32_t>& delivered) {
  const int index = VcIndex(node, port, vc);
  InputVc& in = inputs_[index];
  const Flit flit = Front(index);
  if (++in.front == buffer_flits_) in.front = 0;
  const uint64_t bit = Bit(port * vcs_ + vc);
  if (--in.count == 0) occupied_[node] &= ~bit;
  last_move_cycle_ = now;
  // The slot is free again: tell the upstream router. The terminal needs no credit.
  if (port != kLocal) {
    credit_wheel_[WheelSlot(credit_latency_)].push_back(CreditOnWire{
        Neighbor(node, port), static_cast<int8_t>(OppositePort(port)), static_cast<int8_t>(vc)});
  }
  const int out = in.out_port, out_vc = in.out_vc;
  if (flit.tail) {
    Output(node, out, out_vc).owner = -1;
    free_outputs_[node * kPorts + out] |= static_cast<uint16_t>(1u << out_vc);
    in.out_port = -1;
    in.out_vc = -1;
    if (in.count > 0) unallocated_[node] |= bit;  // the next packet's head is at the front
  }
  if (out == kLocal) {
    Packet& packet = packets_[flit.packet];
    TESSEL_CHECK(packet.destination == node)
        << "packet for node " << packet.destination << " ejected at node " << node;
    TESSEL_CHECK(flit.head == (packet.flits_ejected == 0) &&
                 flit.tail == (packet.flits_ejected == packet_flits_ - 1))
        << "flit " << packet.flits_ejected << " of a packet ejected out of order";
    ++packet.flits_ejected;
    ++flits_ejected_;
    --flits_in_network_;
    if (flit.tail) delivered.push_back(flit.packet);
    return;
  }
  OutputVc& downstream = Output(node, out, out_vc);
  --downstream.credits;
  flit_wheel_[WheelSlot(link_latency_ + router_latency_)].push_back(
      FlitOnWire{Neighbor(node, out), static_cast<int8_t>(OppositePort(out)),
                 static_cast<int8_t>(out_vc), flit.head, flit.tail, flit.packet});
}

int64_t MeshNetwork::CountFlitsInNetwork() const {
  int64_t count = 0;
  for (const InputVc& in : inputs_) count += in.count;
  for (const auto& wire : flit_wheel_) count += static_cast<int64_t>(wire.size());
  return count;
}

}  // namespace tessel::noc
