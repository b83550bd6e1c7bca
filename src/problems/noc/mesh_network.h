// The routers and links of the mesh simulator, cycle by cycle: input buffers with virtual
// channels, credit-based flow control, VC and switch allocation, links with latency. What
// enters (injection) and what is measured is mesh_simulator.cc's business.
//
// Each router follows Dally and Towles, "Principles and Practices of Interconnection Networks",
// chapters 16 and 19: per input port `vcs` VC buffers of `buffer_flits` flits; the head flit at
// the front of a VC is routed, then allocated an output VC (held until its tail leaves: the
// downstream buffer may then already take the next packet's head, as in BookSim 2), then every
// flit of the packet bids for the switch, and crosses it only while the router holds a credit
// for its downstream VC. Both allocators are separable and round-robin, so no input waits
// forever: VC allocation grants each output port's free VCs to requesters in rotating order;
// switch allocation picks one ready VC per input port, then one input per output port, each in
// rotating order. A switch moves at most one flit per input and per output port a cycle.
//
// State lives in flat arrays indexed by (node, port, vc); flits and credits on the wires sit in
// a timing wheel of reused vectors. Nothing is allocated per flit. A flit from a link spends
// its router_latency pipeline cycles on the wheel too and is written into its input buffer
// (whose slot its credit reserved) when it is ready to leave, so that the allocators never
// look at a flit that cannot move yet; flits from the terminal go into the buffer at once,
// marked with the cycle they will be ready.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "problems/noc/mesh.h"
#include "problems/noc/noc_config.h"
#include "problems/noc/packet.h"
#include "problems/noc/routing.h"

namespace tessel::noc {

class MeshNetwork {
 public:
  // Keeps references to `routing` and `packets`, which must outlive it. `config` must be valid.
  MeshNetwork(const NocConfig& config, RoutingAlgorithm& routing, Rng routing_rng,
              PacketPool& packets);

  // The first part of a cycle: the flits and credits due now come off the wires.
  void DeliverArrivals(int64_t now);
  // The rest: heads are routed and allocated VCs, flits cross switches onto links or out to
  // their terminals. Packets whose tail was ejected are appended to `delivered`.
  void AllocateAndTraverse(int64_t now, std::vector<int32_t>& delivered);

  // The injection side of node's local input port: free slots in its VC `vc`, and writing a
  // flit there (the terminal sees the buffer directly, no credits: see mesh_simulator.cc).
  int FreeInjectionSlots(int node, int vc) const;
  void Inject(int node, int vc, int32_t packet, bool head, bool tail, int64_t now);

  int64_t flits_injected() const { return flits_injected_; }
  int64_t flits_ejected() const { return flits_ejected_; }
  // Flits in buffers or on links, kept as a running count.
  int64_t flits_in_network() const { return flits_in_network_; }
  // The same, counted by walking every buffer and wire: a check on the running count.
  int64_t CountFlitsInNetwork() const;
  // The last cycle any flit crossed any switch (-1 before the first).
  int64_t last_move_cycle() const { return last_move_cycle_; }

 private:
  struct Flit {
    int64_t ready = 0;  // the first cycle it may cross the switch
    int32_t packet = 0;
    bool head = false;
    bool tail = false;
  };
  struct InputVc {
    int32_t front = 0;  // ring buffer over its buffer_flits slots
    int32_t count = 0;
    int8_t out_port = -1;  // the front packet's route here, -1 until routed
    int8_t out_vc = -1;    // its output VC, -1 until allocated
  };
  struct FlitOnWire {
    int32_t node = 0;
    int8_t port = 0;  // the input port it arrives on
    int8_t vc = 0;
    bool head = false;
    bool tail = false;
    int32_t packet = 0;
  };
  struct CreditOnWire {
    int32_t node = 0;
    int8_t port = 0;  // the output port it returns to
    int8_t vc = 0;
  };

  int VcIndex(int node, int port, int vc) const { return (node * kPorts + port) * vcs_ + vc; }
  // Mesh::Neighbor from a table: the cycle loop asks for every flit and credit it sends.
  int Neighbor(int node, int port) const { return neighbors_[node * kPorts + port]; }
  Flit& Front(int index) { return slots_[index * buffer_flits_ + inputs_[index].front]; }
  OutputVc& Output(int node, int port, int vc) { return outputs_[VcIndex(node, port, vc)]; }
  RouteQuery Query(int node, int port, const Packet& packet) const;
  void Push(int node, int port, int vc, const Flit& flit);
  // The wheel slot of the cycle `delay` cycles after the current one.
  size_t WheelSlot(int delay) const {
    const int slot = wheel_slot_ + delay;
    return static_cast<size_t>(slot < static_cast<int>(flit_wheel_.size())
                                   ? slot
                                   : slot - static_cast<int>(flit_wheel_.size()));
  }

  void AllocateVcs(int node, int64_t now);
  void AllocateSwitch(int node, int64_t now, std::vector<int32_t>& delivered);
  // The VC of input `port` that switch allocation's first stage puts forward among `vcs` (a
  // bit per VC with an output VC and flits), or -1.
  int SwitchCandidate(int node, int port, unsigned vcs, int64_t now);
  void Traverse(int node, int port, int vc, int64_t now, std::vector<int32_t>& delivered);

  Mesh mesh_;
  int vcs_, buffer_flits_, packet_flits_;
  int router_latency_, link_latency_, credit_latency_;
  int vcs_per_class_;
  RoutingAlgorithm& routing_;
  bool adaptive_;
  Rng rng_;
  PacketPool& packets_;

  std::vector<int32_t> neighbors_;  // (node, port)
  std::vector<InputVc> inputs_;     // (node, port, vc)
  std::vector<Flit> slots_;         // (node, port, vc, slot)
  std::vector<OutputVc> outputs_;   // (node, port, vc)
  // Per router, one bit per input VC (bit port x vcs + vc; Validate caps vcs so that they fit):
  // the VCs holding flits, and those of them whose front packet has no output VC yet. The
  // allocators visit only these, so an idle VC costs nothing.
  std::vector<uint64_t> occupied_, unallocated_;
  // Per (node, output port), bit vc set while no packet holds output VC vc.
  std::vector<uint16_t> free_outputs_;
  // Round-robin pointers: per (node, output port) for VC allocation (an input VC's router
  // bit), per (node, input port) and (node, output port) for the two switch allocation stages.
  std::vector<uint8_t> vc_alloc_next_, switch_input_next_, switch_output_next_;
  // Wires (and, for flits, the router pipeline behind them), by the cycle they are due modulo
  // the wheel's size, which is longer than any delay.
  std::vector<std::vector<FlitOnWire>> flit_wheel_;
  std::vector<std::vector<CreditOnWire>> credit_wheel_;
  int wheel_slot_ = 0;  // the current cycle's

  int64_t flits_injected_ = 0;
  int64_t flits_ejected_ = 0;
  int64_t flits_in_network_ = 0;
  int64_t last_move_cycle_ = -1;
};

}  // namespace tessel::noc
