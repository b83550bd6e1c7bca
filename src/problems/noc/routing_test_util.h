// Routing algorithms that only tests use: ones that break the turn rules on purpose, so that
// the deadlock checks (the dependency-graph check, the simulator's detector) have something to
// catch.
#pragma once

#include "problems/noc/routing.h"

namespace tessel::noc {

inline PortSet OnePortSet(int port) {
  PortSet ports;
  ports.Add(port);
  return ports;
}

// On a 2x2 mesh under bit-complement traffic every packet crosses a diagonal, and this sends
// all four the same way round: x first at (0,0) and (1,1), y first at (1,0) and (0,1). The four
// first links and four second links form one ring of dependencies, east at (0,0), north at
// (1,0), west at (1,1), south at (0,1): with one VC and packets longer than a buffer, four
// packets can each hold a link the next one waits for, and then nothing moves again.
class ClockwiseOn2x2 : public RoutingAlgorithm {
 public:
  explicit ClockwiseOn2x2(const Mesh& mesh) : mesh_(mesh) {}
  PortSet AllowedPorts(const RouteQuery& q) const override {
    const int dx = mesh_.X(q.destination) - mesh_.X(q.node);
    const int dy = mesh_.Y(q.destination) - mesh_.Y(q.node);
    const int x_port = dx > 0 ? kEast : kWest, y_port = dy > 0 ? kNorth : kSouth;
    const bool x_first = mesh_.X(q.node) == mesh_.Y(q.node);
    if (dx == 0) return OnePortSet(y_port);
    if (dy == 0) return OnePortSet(x_port);
    return OnePortSet(x_first ? x_port : y_port);
  }
  int Route(const RouteQuery& q, const OutputPortView&, Rng&) override {
    const PortSet allowed = AllowedPorts(q);
    for (int port = kEast; port < kPorts; ++port)
      if (allowed.Contains(port)) return port;
    return -1;
  }

 private:
  Mesh mesh_;
};

// Minimal, fully adaptive, no turn forbidden: with one VC and multi-flit packets it deadlocks
// within a few hundred cycles of full load on a 4x4 mesh (every seed tried).
class AnyMinimalRoute : public RoutingAlgorithm {
 public:
  explicit AnyMinimalRoute(const Mesh& mesh) : mesh_(mesh) {}
  bool adaptive() const override { return true; }
  PortSet AllowedPorts(const RouteQuery& q) const override {
    return mesh_.ProductivePorts(q.node, q.destination);
  }
  int Route(const RouteQuery& q, const OutputPortView& view, Rng& rng) override {
    return SelectMostCredits(AllowedPorts(q), view, rng);
  }

 private:
  Mesh mesh_;
};

}  // namespace tessel::noc
