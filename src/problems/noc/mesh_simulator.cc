// The mesh simulator's cycle loop: packet creation, source queues, injection, the phases and
// the statistics (see mesh_simulator.h).
#include "problems/noc/mesh_simulator.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/noc/mesh_network.h"
#include "problems/noc/packet.h"
#include "problems/noc/ring_queue.h"
#include "problems/noc/routing_catalog.h"
#include "problems/noc/traffic.h"

namespace tessel::noc {

namespace {

struct QueuedPacket {
  int64_t created = 0;
  int32_t destination = 0;
  int32_t vc_class = 0;
};

// A terminal: its queue of created packets and the packet it is feeding into its router. It
// writes into the local input VC buffers directly (free slots, not credits), so injection has
// no credit delay: the buffer's occupancy is right there in the same tile.
struct Source {
  RingQueue<QueuedPacket> queue;
  int32_t packet = -1;  // being injected, -1 between packets
  int vc = 0;           // the local input VC it is going into
  int flits_sent = 0;
  int next_vc = 0;  // where the search for a VC for the next packet starts (round robin)
};

class Simulation {
 public:
  Simulation(const NocConfig& config, RoutingAlgorithm& routing)
      : config_(config),
        mesh_{config.k},
        routing_(routing),
        traffic_(mesh_, TrafficPatternFromName(config.traffic), config.hotspot_fraction,
                 config.hotspot_nodes),
        root_(config.seed),
        injection_rng_(root_.Fork("noc-injection")),
        destination_rng_(root_.Fork("noc-destination")),
        class_rng_(root_.Fork("noc-packet-class")),
        network_(config, routing, root_.Fork("noc-routing"), packets_),
        sources_(static_cast<size_t>(mesh_.nodes())),
        vcs_per_class_(config.vcs / routing.vc_classes()),
        window_begin_(config.warmup_cycles),
        window_end_(config.warmup_cycles + config.measure_cycles) {}

  NocStats Run();

 private:
  void CreateAndInjectPackets(int64_t now);
  void Inject(int node, int64_t now);
  void Record(const std::vector<int32_t>& delivered, int64_t now);
  NocStats Summarize(int64_t cycles, bool saturated, bool deadlock);

  bool InWindow(int64_t cycle) const { return cycle >= window_begin_ && cycle < window_end_; }

  const NocConfig& config_;
  Mesh mesh_;
  RoutingAlgorithm& routing_;
  TrafficGenerator traffic_;
  Rng root_;
  Rng injection_rng_, destination_rng_, class_rng_;
  PacketPool packets_;
  MeshNetwork network_;
  std::vector<Source> sources_;
  int vcs_per_class_;
  int64_t window_begin_, window_end_;

  int64_t flits_created_ = 0;
  int64_t flits_created_in_window_ = 0;
  int64_t flits_ejected_in_window_ = 0;
  int64_t measured_created_ = 0;
  std::vector<int64_t> latencies_;  // of the measured packets that arrived
  int64_t network_latency_sum_ = 0;
  int64_t hops_sum_ = 0;
  int64_t model_sum_ = 0;
};

void Simulation::CreateAndInjectPackets(int64_t now) {
  const double packet_probability = config_.rate / config_.packet_flits;
  for (int node = 0; node < mesh_.nodes(); ++node) {
    if (injection_rng_.UniformReal() < packet_probability) {
      const int destination = traffic_.Destination(node, destination_rng_);
      if (destination != node) {  // the pattern maps this node to itself: nothing to send
        const int vc_class = routing_.PacketClass(node, destination, class_rng_);
        sources_[node].queue.push_back(QueuedPacket{now, destination, vc_class});
        flits_created_ += config_.packet_flits;
        if (InWindow(now)) {
          flits_created_in_window_ += config_.packet_flits;
          ++measured_created_;
        }
      }
    }
    Inject(node, now);
  }
}

void Simulation::Inject(int node, int64_t now) {
  Source& source = sources_[node];
  if (source.packet < 0) {
    if (source.queue.empty()) return;
    const QueuedPacket& next = source.queue.front();
    // Any VC of the packet's class with room takes its head; the rest of it follows there.
    const int class_begin = next.vc_class * vcs_per_class_;
    int vc = -1;
    for (int j = 0; j < vcs_per_class_ && vc < 0; ++j) {
      const int candidate = class_begin + (source.next_vc + j) % vcs_per_class_;
      if (network_.FreeInjectionSlots(node, candidate) > 0) vc = candidate;
    }
    if (vc < 0) return;
    source.next_vc = (vc - class_begin + 1) % vcs_per_class_;
    Packet packet;
    packet.created = next.created;
    packet.injected = now;
    packet.source = node;
    packet.destination = next.destination;
    packet.vc_class = next.vc_class;
    packet.measured = InWindow(next.created);
    source.packet = packets_.Allocate(packet);
    source.vc = vc;
    source.flits_sent = 0;
    source.queue.pop_front();
  }
  if (network_.FreeInjectionSlots(node, source.vc) == 0) return;
  const bool tail = source.flits_sent == config_.packet_flits - 1;
  network_.Inject(node, source.vc, source.packet, source.flits_sent == 0, tail, now);
  ++source.flits_sent;
  if (tail) source.packet = -1;
}

void Simulation::Record(const std::vector<int32_t>& delivered, int64_t now) {
  for (int32_t id : delivered) {
    const Packet& packet = packets_[id];
    const int64_t latency = now - packet.created;
    if (packet.measured) {
      latencies_.push_back(latency);
      network_latency_sum_ += now - packet.injected;
      hops_sum_ += packet.hops;
      model_sum_ += ZeroLoadLatency(config_, packet.hops);
    }
    routing_.OnPacketDelivered(packet.source, packet.destination, latency, packet.hops);
    packets_.Release(id);
  }
}

NocStats Simulation::Run() {
  std::vector<int32_t> delivered;
  const int64_t drain_end = window_end_ + config_.drain_limit_cycles;
  bool saturated = false, deadlock = false;
  int64_t last_quiet = -1;  // the last cycle that ended with no flit in the network
  int64_t now = 0;
  for (;; ++now) {
    if (now >= window_end_ && static_cast<int64_t>(latencies_.size()) == measured_created_)
      break;  // every measured packet has arrived
    if (now >= drain_end) {
      saturated = true;
      break;
    }
    const int64_t ejected_before = network_.flits_ejected();
    network_.DeliverArrivals(now);
    delivered.clear();
    network_.AllocateAndTraverse(now, delivered);
    Record(delivered, now);
    if (InWindow(now)) flits_ejected_in_window_ += network_.flits_ejected() - ejected_before;
    CreateAndInjectPackets(now);
    // Progress is a flit crossing a switch, or an empty network (nothing to move).
    if (network_.flits_in_network() == 0) last_quiet = now;
    if (now - std::max(network_.last_move_cycle(), last_quiet) >= config_.deadlock_cycles) {
      deadlock = true;
      ++now;
      break;
    }
  }
  return Summarize(now, saturated, deadlock);
}

NocStats Simulation::Summarize(int64_t cycles, bool saturated, bool deadlock) {
  NocStats stats;
  stats.packets = static_cast<int64_t>(latencies_.size());
  stats.packets_measured = measured_created_;
  if (stats.packets > 0) {
    const double n = static_cast<double>(stats.packets);
    int64_t latency_sum = 0;
    for (int64_t latency : latencies_) latency_sum += latency;
    stats.latency = static_cast<double>(latency_sum) / n;
    stats.network_latency = static_cast<double>(network_latency_sum_) / n;
    stats.hops = static_cast<double>(hops_sum_) / n;
    stats.zero_load_latency_model = static_cast<double>(model_sum_) / n;
    // Nearest rank: the smallest latency at or above which lie at most 1% of the packets.
    const size_t rank = static_cast<size_t>((99 * latencies_.size() + 99) / 100) - 1;
    std::nth_element(latencies_.begin(), latencies_.begin() + static_cast<ptrdiff_t>(rank),
                     latencies_.end());
    stats.latency_p99 = static_cast<double>(latencies_[rank]);
  }
  const double node_cycles = static_cast<double>(mesh_.nodes()) * config_.measure_cycles;
  stats.throughput = static_cast<double>(flits_ejected_in_window_) / node_cycles;
  stats.offered = static_cast<double>(flits_created_in_window_) / node_cycles;
  stats.saturated = saturated || deadlock;  // a deadlocked network accepts nothing more
  stats.deadlock = deadlock;
  stats.cycles = cycles;

  stats.flits_created = flits_created_;
  for (const Source& source : sources_) {
    stats.flits_queued += static_cast<int64_t>(source.queue.size()) * config_.packet_flits;
    if (source.packet >= 0) stats.flits_queued += config_.packet_flits - source.flits_sent;
  }
  stats.flits_injected = network_.flits_injected();
  stats.flits_in_network = network_.CountFlitsInNetwork();
  stats.flits_ejected = network_.flits_ejected();
  return stats;
}

}  // namespace

NocStats Simulate(const NocConfig& config) {
  Validate(config);
  const std::unique_ptr<RoutingAlgorithm> routing = MakeAnyRouting(config);
  return Simulate(config, *routing);
}

NocStats Simulate(const NocConfig& config, RoutingAlgorithm& routing) {
  ValidateExceptRouting(config);
  const int classes = routing.vc_classes();
  if (classes < 1 || config.vcs % classes != 0)
    throw ConfigError("the routing splits the VCs into " + std::to_string(classes) +
                      " classes, which vcs = " + std::to_string(config.vcs) +
                      " does not divide; give a multiple of " + std::to_string(classes));
  Simulation simulation(config, routing);
  return simulation.Run();
}

}  // namespace tessel::noc
