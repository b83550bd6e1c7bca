// The built-in minimal routing algorithms of the mesh simulator, and why each is deadlock free.
//
// Deadlock freedom is argued on the channel dependency graph ("Deadlock-Free Message Routing in
// Multiprocessor Interconnection Networks", Dally and Seitz, 1987): a routing relation whose
// dependencies between channels (a packet holding one while asking for the next) form no cycle
// cannot deadlock. Ejection always drains (the terminal takes a flit every cycle), so cycles can
// only run through the links between routers. routing_test.cc builds each algorithm's graph
// on a mesh and checks that it is acyclic.
#include "problems/noc/routing.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "problems/noc/noc_config.h"

namespace tessel::noc {

namespace {

// Dimension order: all the way along one dimension, then the other. A packet never turns from
// its second dimension back to its first, and moves one way within each, so the dependencies
// are ordered and there is no cycle.
int DimensionOrderPort(const Mesh& mesh, int node, int destination, bool x_first) {
  const int dx = mesh.X(destination) - mesh.X(node), dy = mesh.Y(destination) - mesh.Y(node);
  const int x_port = dx > 0 ? kEast : kWest, y_port = dy > 0 ? kNorth : kSouth;
  if (x_first) return dx != 0 ? x_port : y_port;
  return dy != 0 ? y_port : x_port;
}

PortSet OnePort(int port) {
  PortSet ports;
  ports.Add(port);
  return ports;
}

class DimensionOrder : public RoutingAlgorithm {
 public:
  DimensionOrder(const Mesh& mesh, bool x_first) : mesh_(mesh), x_first_(x_first) {}
  PortSet AllowedPorts(const RouteQuery& q) const override {
    return OnePort(DimensionOrderPort(mesh_, q.node, q.destination, x_first_));
  }
  int Route(const RouteQuery& q, const OutputPortView&, Rng&) override {
    return DimensionOrderPort(mesh_, q.node, q.destination, x_first_);
  }

 private:
  Mesh mesh_;
  bool x_first_;
};

// O1TURN ("Near-Optimal Worst-Case Throughput Routing for Two-Dimensional Mesh Networks", Seo
// et al., 2005): each packet goes XY or YX, chosen at random when it is created. XY packets hold
// only the first half of every port's VCs (class 0), YX packets the second half (class 1), so
// the dependency graph is two disjoint copies, XY's and YX's, each acyclic on its own.
class O1Turn : public RoutingAlgorithm {
 public:
  explicit O1Turn(const Mesh& mesh) : mesh_(mesh) {}
  int vc_classes() const override { return 2; }
  int PacketClass(int, int, Rng& rng) override { return static_cast<int>(rng.UniformInt(0, 1)); }
  PortSet AllowedPorts(const RouteQuery& q) const override {
    return OnePort(DimensionOrderPort(mesh_, q.node, q.destination, q.vc_class == 0));
  }
  int Route(const RouteQuery& q, const OutputPortView&, Rng&) override {
    return DimensionOrderPort(mesh_, q.node, q.destination, q.vc_class == 0);
  }

 private:
  Mesh mesh_;
};

// West-first ("The Turn Model for Adaptive Routing", Glass and Ni, 1992). Every cycle of
// channels in a mesh turns both clockwise and counter-clockwise; forbidding the two turns into
// west (north-to-west, south-to-west), one of each, leaves none. Minimally that means: a packet
// with any way west to go goes west first; after that it may pick any productive direction.
// The oblivious variant picks at random (once per router); the adaptive one by credits.
class WestFirst : public RoutingAlgorithm {
 public:
  WestFirst(const Mesh& mesh, bool adaptive) : mesh_(mesh), adaptive_(adaptive) {}
  bool adaptive() const override { return adaptive_; }
  PortSet AllowedPorts(const RouteQuery& q) const override {
    return WestFirstPorts(mesh_, q.node, q.destination);
  }
  int Route(const RouteQuery& q, const OutputPortView& view, Rng& rng) override {
    const PortSet allowed = WestFirstPorts(mesh_, q.node, q.destination);
    if (adaptive_) return SelectMostCredits(allowed, view, rng);
    int pick = static_cast<int>(rng.UniformInt(0, allowed.size() - 1));
    for (int port = 0; port < kPorts; ++port)
      if (allowed.Contains(port) && pick-- == 0) return port;
    return -1;  // unreachable: pick < allowed.size()
  }

 private:
  Mesh mesh_;
  bool adaptive_;
};

// Odd-even ("The Odd-Even Turn Model for Adaptive Routing", Chiu, 2000), adaptive, selecting by
// credits. See OddEvenPorts for the turns it forbids and why that suffices.
class OddEven : public RoutingAlgorithm {
 public:
  explicit OddEven(const Mesh& mesh) : mesh_(mesh) {}
  bool adaptive() const override { return true; }
  PortSet AllowedPorts(const RouteQuery& q) const override {
    return OddEvenPorts(mesh_, q.source, q.node, q.destination);
  }
  int Route(const RouteQuery& q, const OutputPortView& view, Rng& rng) override {
    return SelectMostCredits(OddEvenPorts(mesh_, q.source, q.node, q.destination), view, rng);
  }

 private:
  Mesh mesh_;
};

}  // namespace

PortSet WestFirstPorts(const Mesh& mesh, int node, int destination) {
  if (mesh.X(destination) < mesh.X(node)) return OnePort(kWest);
  return mesh.ProductivePorts(node, destination);
}

// Chiu's ROUTE function, minimal. Columns are x. The model forbids east-to-north and
// east-to-south turns in even columns and north-to-west and south-to-west turns in odd columns.
// The rightmost column of any cycle holds one turn of each kind, which no column allows, so
// there is no cycle, with one VC and without forbidding a whole direction as west-first does.
PortSet OddEvenPorts(const Mesh& mesh, int source, int node, int destination) {
  PortSet ports;
  const int x = mesh.X(node), dx = mesh.X(destination) - x;
  const int dy = mesh.Y(destination) - mesh.Y(node);
  const int y_port = dy > 0 ? kNorth : kSouth;
  if (dx == 0) {
    ports.Add(y_port);
  } else if (dx > 0) {  // eastbound
    if (dy == 0) {
      ports.Add(kEast);
    } else {
      // Turning north or south here would be an east-to-north/south turn in an even column,
      // unless the packet did not arrive going east (it starts here).
      if (x % 2 == 1 || x == mesh.X(source)) ports.Add(y_port);
      // Entering an even destination column still needing y would force that turn there.
      if (mesh.X(destination) % 2 == 1 || dx != 1) ports.Add(kEast);
    }
  } else {  // westbound
    ports.Add(kWest);
    // Going north or south now means turning west again later in this column: only even ones.
    if (dy != 0 && x % 2 == 0) ports.Add(y_port);
  }
  return ports;
}

int SelectMostCredits(PortSet allowed, const OutputPortView& view, Rng& rng) {
  int best[kPorts];
  int count = 0;
  int best_free = -1, best_credits = -1;
  for (int port = 0; port < kPorts; ++port) {
    if (!allowed.Contains(port)) continue;
    const int has_free = view.free_vcs(port) > 0 ? 1 : 0;
    const int credits = view.credits(port);
    if (has_free > best_free || (has_free == best_free && credits > best_credits)) {
      best_free = has_free;
      best_credits = credits;
      count = 0;
    }
    if (has_free == best_free && credits == best_credits) best[count++] = port;
  }
  // Only ties draw, so that a clear choice leaves the stream as it is.
  return count == 1 ? best[0] : best[rng.UniformInt(0, count - 1)];
}

const std::vector<std::string_view>& RoutingNames() {
  static const std::vector<std::string_view> names = {
      "xy", "yx", "o1turn", "west-first", "west-first-adaptive", "odd-even"};
  return names;
}

std::unique_ptr<RoutingAlgorithm> MakeRouting(std::string_view name, const Mesh& mesh) {
  if (name == "xy") return std::make_unique<DimensionOrder>(mesh, true);
  if (name == "yx") return std::make_unique<DimensionOrder>(mesh, false);
  if (name == "o1turn") return std::make_unique<O1Turn>(mesh);
  if (name == "west-first") return std::make_unique<WestFirst>(mesh, false);
  if (name == "west-first-adaptive") return std::make_unique<WestFirst>(mesh, true);
  if (name == "odd-even") return std::make_unique<OddEven>(mesh);
  throw ConfigError("unknown NoC routing '" + std::string(name) +
                    "'; choose one of: " + JoinNames(RoutingNames()));
}

}  // namespace tessel::noc
