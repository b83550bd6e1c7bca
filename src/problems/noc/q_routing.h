// Q-routing ("Packet Routing in Dynamically Changing Networks: A Reinforcement Learning
// Approach", Boyan and Littman, 1994) as a routing algorithm of the mesh simulator: every
// router learns, per destination and output port, how many cycles a packet still needs from
// here to delivery, and sends each head flit the way it expects to be fastest.
//
// Router x keeps Q_x(d, p): cycles from a head entering x's input buffer to its packet's tail
// leaving the network at d, when it leaves x through port p. When x's head is granted an output
// VC on p (OnHeadForwarded: the route is final then, once per hop), x learns
//
//   Q_x(d, p) += eta * (t_x + link_latency + V_y(d) - Q_x(d, p))
//
// with t_x the cycles the head spent at x, y the router behind p, and V_y(d) = min over the
// ports y allows this packet of Q_y(d, .), y's own estimate: in Boyan and Littman's network y
// sends it back; here, with all tables in one object, x reads it. At the destination,
// V_d(d) = router_latency + packet_flits - 1, the ejection (ZeroLoadLatency of 0 hops).
// Tables start at the zero-load latency of the minimal route, ZeroLoadLatency(config, hops),
// which is also the fixed point of the update when nothing waits.
//
// The choice is restricted to the odd-even turn model's ports (OddEvenPorts): minimal, and
// deadlock free with a single VC class whatever the tables say. A port's cost is its estimate
// plus, by default, a cycle for every flit its downstream buffers hold now (buffer slots minus
// the credits of OutputPortView): each of them leaves that input port at most one a cycle, so a
// head joining them waits about that long. The tables learn only from grants, so they say what
// past packets met; the term says what this one is about to meet. Without it (plain
// Boyan-Littman, congestion_weight = 0) the tables lag behind the load and herd packets onto
// the port that was good a while ago: on an 8x8 mesh plain Q-routing saturates under uniform
// traffic at 0.36 flits/node/cycle, where odd-even averages 34 cycles and Q-routing with the
// term 21; under transpose at 0.25, odd-even 69, with the term 22 (3000 measured cycles, three
// seeds). Ties go to the port with a free VC and the most credits, then to the simulator's routing
// Rng. The algorithm is adaptive, so a head waiting for an output VC is routed again every cycle.
//
// What t_x does not see: a head granted a VC may still wait at x for the switch or for
// credits, and no router's t counts that wait, so the tables underestimate heavy congestion
// somewhat (the congestion term sees part of it, as the buffers it fills downstream).
#pragma once

#include <cstdint>
#include <vector>

#include "problems/noc/mesh.h"
#include "problems/noc/noc_config.h"
#include "problems/noc/routing.h"

namespace tessel::noc {

struct QRoutingOptions {
  // eta, in (0, 1]; 0.05 to 0.5 did equally well in the runs quoted above.
  double learning_rate = 0.2;
  double epsilon = 0.0;  // chance of a random allowed port instead of the best, in [0, 1)
  // Cycles added to a port's cost per flit its downstream buffers hold; 0 is plain Q-routing.
  double congestion_weight = 1.0;
};

class QRouting : public RoutingAlgorithm {
 public:
  // Takes the mesh and the latencies (router, link, packet length, buffers) from `config`.
  // Throws tessel::ConfigError on options outside their ranges or k > 32 (the tables hold
  // k^4 x 5 numbers).
  explicit QRouting(const NocConfig& config, QRoutingOptions options = {});

  bool adaptive() const override { return true; }
  PortSet AllowedPorts(const RouteQuery& query) const override;
  int Route(const RouteQuery& query, const OutputPortView& view, Rng& rng) override;
  void OnHeadForwarded(const RouteQuery& query, int out_port, int64_t cycles_at_router) override;

  // Q_node(destination, port): the estimated cycles to delivery through `port`.
  double Estimate(int node, int destination, int port) const {
    return q_[Index(node, destination, port)];
  }
  void SetEstimate(int node, int destination, int port, double cycles) {
    q_[Index(node, destination, port)] = cycles;
  }
  // V_node(destination) for a packet from `source`: the best estimate among its allowed ports,
  // or the ejection's latency at the destination itself.
  double BestEstimate(int source, int node, int destination) const;

  int64_t updates() const { return updates_; }

 private:
  size_t Index(int node, int destination, int port) const {
    return (static_cast<size_t>(node) * mesh_.nodes() + destination) * kPorts + port;
  }
  double SelectionCost(const RouteQuery& query, int port, const OutputPortView& view) const;

  Mesh mesh_;
  QRoutingOptions options_;
  int link_latency_;
  int buffer_slots_;  // per output port, over all VCs: one VC class
  double ejection_latency_;
  std::vector<double> q_;  // (node, destination, port)
  int64_t updates_ = 0;
};

}  // namespace tessel::noc
