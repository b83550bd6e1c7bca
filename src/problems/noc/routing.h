// Routing for the mesh simulator: the interface a routing algorithm implements, and the
// built-in minimal algorithms selected by name (xy, yx, o1turn, west-first,
// west-first-adaptive, odd-even).
//
// A routing algorithm is split in two, as adaptive routing is in Dally and Towles, "Principles
// and Practices of Interconnection Networks": AllowedPorts is the routing relation (which
// output ports the head flit of a packet may take at a router; the turn restrictions that keep
// the network deadlock free live here) and Route is the selection among them, which may look at
// the router's own output ports (credits, free virtual channels) through an OutputPortView.
// The simulator calls Route only at a router that is not the packet's destination (ejection is
// its own business), and only for head flits: the rest of the packet follows the head.
//
// The interface is meant to take per-router learned routing later without changes to the
// simulator. Q-routing ("Packet Routing in Dynamically Changing Networks: A Reinforcement
// Learning Approach", Boyan and Littman, 1994) would keep a table of delivery-time estimates
// per router, choose among AllowedPorts (odd-even's, to stay deadlock free) by them in Route,
// and update them in OnHeadForwarded, where it learns the time the packet spent at this router
// and can read the next router's (its neighbour's) estimates from its own tables.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "problems/noc/mesh.h"

namespace tessel::noc {

// The state of one output virtual channel of a router, as its upstream side sees it.
struct OutputVc {
  int32_t credits = 0;  // free flit slots in the downstream input buffer of this VC
  int32_t owner = -1;   // the input VC whose packet holds it (head to tail), -1 when free
};

// What a router knows about its own output ports when it routes a head flit, counted over the
// virtual channels of the packet's class (O1TURN splits the VCs in two; the others use all).
class OutputPortView {
 public:
  // `router_vcs` holds kPorts x vcs entries, port-major; the class owns [class_begin, class_end).
  OutputPortView(const OutputVc* router_vcs, int vcs, int class_begin, int class_end)
      : vcs_(router_vcs), vc_count_(vcs), begin_(class_begin), end_(class_end) {}

  // Credits held for the port's downstream buffers: free slots, summed over the class's VCs.
  int credits(int port) const {
    int sum = 0;
    for (int vc = begin_; vc < end_; ++vc) sum += vcs_[port * vc_count_ + vc].credits;
    return sum;
  }
  // Output VCs of the class that no packet holds: a new head can be allocated one of them now.
  int free_vcs(int port) const {
    int free = 0;
    for (int vc = begin_; vc < end_; ++vc) free += vcs_[port * vc_count_ + vc].owner < 0;
    return free;
  }

 private:
  const OutputVc* vcs_;
  int vc_count_, begin_, end_;
};

// A head flit asking its router where to go.
struct RouteQuery {
  int node = 0;     // the router deciding
  int in_port = 0;  // the port the head arrived on; kLocal at the packet's source
  int source = 0;
  int destination = 0;  // never `node`: the simulator ejects without asking
  int vc_class = 0;     // PacketClass's answer for this packet
};

class RoutingAlgorithm {
 public:
  virtual ~RoutingAlgorithm() = default;

  // How many classes the VCs of every port are split into (evenly; the simulator rejects a VC
  // count that does not divide). A packet holds only VCs of its class, all the way.
  virtual int vc_classes() const { return 1; }
  // The class of a new packet, decided once when it is created.
  virtual int PacketClass(int /*source*/, int /*destination*/, Rng& /*rng*/) { return 0; }

  // Whether Route looks at the view. The simulator asks an adaptive algorithm again every
  // cycle that the head waits for an output VC, so that it can turn to a port that freed up;
  // an oblivious one is asked once per router, and its answer (random or not) stands.
  virtual bool adaptive() const { return false; }

  // The ports the packet may take here: never empty, never off the mesh.
  virtual PortSet AllowedPorts(const RouteQuery& query) const = 0;
  // One of AllowedPorts(query).
  virtual int Route(const RouteQuery& query, const OutputPortView& view, Rng& rng) = 0;

  // Told when a head flit has been granted an output VC on `out_port` (a route is final then),
  // `cycles_at_router` after it entered this router's input buffer.
  virtual void OnHeadForwarded(const RouteQuery& /*query*/, int /*out_port*/,
                               int64_t /*cycles_at_router*/) {}
  // Told when a packet's tail flit has been ejected at its destination.
  virtual void OnPacketDelivered(int /*source*/, int /*destination*/, int64_t /*latency*/,
                                 int /*hops*/) {}
};

// "xy", "yx", "o1turn", "west-first", "west-first-adaptive", "odd-even".
const std::vector<std::string_view>& RoutingNames();

// A built-in algorithm by name. Throws tessel::ConfigError listing the names when `name` is not
// one of them.
std::unique_ptr<RoutingAlgorithm> MakeRouting(std::string_view name, const Mesh& mesh);

// Among the allowed ports, those with a free VC of the packet's class (the head can move on
// at once) if any; among them the ones with the most credits (the least congested downstream);
// among those one at random. The adaptive built-ins select with it.
int SelectMostCredits(PortSet allowed, const OutputPortView& view, Rng& rng);

// The routing relations of the turn models, for algorithms (learned ones included) that select
// differently. Both are minimal and deadlock free with a single VC class.
PortSet WestFirstPorts(const Mesh& mesh, int node, int destination);
PortSet OddEvenPorts(const Mesh& mesh, int source, int node, int destination);

}  // namespace tessel::noc
