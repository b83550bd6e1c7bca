// Tests of the mesh simulator's routing relations: minimal, on the mesh, the turns each model
// forbids never taken, and deadlock freedom checked directly on the channel dependency graph.
#include "problems/noc/routing.h"

#include <gtest/gtest.h>

#include <functional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/noc/routing_test_util.h"

namespace tessel::noc {
namespace {

// The direction a packet was moving in when it arrived on `in_port` (an output port's name is
// the direction it moves a packet in).
int HeadingOnArrival(int in_port) { return OppositePort(in_port); }

// Visits every (node, in_port) state a packet from `source` to `destination` can reach under
// `routing` in class `vc_class`, with the ports allowed there.
void ForEachHop(const RoutingAlgorithm& routing, const Mesh& mesh, int source, int destination,
                int vc_class, const std::function<void(const RouteQuery&, PortSet)>& visit) {
  std::set<std::pair<int, int>> seen;
  std::vector<std::pair<int, int>> stack = {{source, kLocal}};
  while (!stack.empty()) {
    const auto [node, in_port] = stack.back();
    stack.pop_back();
    if (node == destination || !seen.insert({node, in_port}).second) continue;
    const RouteQuery query{node, in_port, source, destination, vc_class};
    const PortSet allowed = routing.AllowedPorts(query);
    visit(query, allowed);
    for (int port = kEast; port < kPorts; ++port)
      if (allowed.Contains(port) && mesh.Neighbor(node, port) >= 0)
        stack.push_back({mesh.Neighbor(node, port), OppositePort(port)});
  }
}

TEST(NocRoutingTest, DimensionOrderGoesXThenYOrYThenX) {
  const Mesh mesh{8};
  const auto xy = MakeRouting("xy", mesh);
  const auto yx = MakeRouting("yx", mesh);
  const int from = mesh.Node(1, 1), to = mesh.Node(5, 6);
  EXPECT_EQ(xy->AllowedPorts({from, kLocal, from, to, 0}), OnePortSet(kEast));
  EXPECT_EQ(xy->AllowedPorts({mesh.Node(5, 1), kWest, from, to, 0}), OnePortSet(kNorth));
  EXPECT_EQ(yx->AllowedPorts({from, kLocal, from, to, 0}), OnePortSet(kNorth));
  EXPECT_EQ(yx->AllowedPorts({mesh.Node(1, 6), kSouth, from, to, 0}), OnePortSet(kEast));
}

TEST(NocRoutingTest, O1TurnRoutesClassZeroXYAndClassOneYX) {
  const Mesh mesh{4};
  const auto o1turn = MakeRouting("o1turn", mesh);
  EXPECT_EQ(o1turn->vc_classes(), 2);
  const int from = mesh.Node(0, 0), to = mesh.Node(3, 3);
  EXPECT_EQ(o1turn->AllowedPorts({from, kLocal, from, to, 0}), OnePortSet(kEast));
  EXPECT_EQ(o1turn->AllowedPorts({from, kLocal, from, to, 1}), OnePortSet(kNorth));
  Rng rng(7);
  int yx = 0;
  for (int i = 0; i < 1000; ++i) yx += o1turn->PacketClass(from, to, rng);
  EXPECT_NEAR(yx, 500, 60);  // a fair coin: 1000 draws, 4 standard deviations
}

TEST(NocRoutingTest, EveryAlgorithmIsMinimalAndRoutesWithinTheAllowedPorts) {
  for (int k : {2, 5, 8}) {
    const Mesh mesh{k};
    for (std::string_view name : RoutingNames()) {
      SCOPED_TRACE(std::string(name) + " on " + std::to_string(k) + "x" + std::to_string(k));
      const auto routing = MakeRouting(name, mesh);
      std::vector<OutputVc> outputs(kPorts * 2);
      for (int i = 0; i < kPorts * 2; ++i) outputs[i].credits = (i * 7) % 5;
      const OutputPortView view(outputs.data(), 2, 0, 2);
      Rng rng(1);
      for (int source = 0; source < mesh.nodes(); ++source)
        for (int destination = 0; destination < mesh.nodes(); ++destination) {
          if (source == destination) continue;
          for (int vc_class = 0; vc_class < routing->vc_classes(); ++vc_class)
            ForEachHop(*routing, mesh, source, destination, vc_class,
                       [&](const RouteQuery& query, PortSet allowed) {
                         const PortSet productive =
                             mesh.ProductivePorts(query.node, query.destination);
                         ASSERT_FALSE(allowed.empty());
                         ASSERT_EQ(allowed.bits() & ~productive.bits(), 0)
                             << "non-minimal port at node " << query.node;
                         for (int i = 0; i < 4; ++i)
                           ASSERT_TRUE(allowed.Contains(routing->Route(query, view, rng)));
                       });
        }
    }
  }
}

TEST(NocRoutingTest, WestFirstNeverTurnsIntoWest) {
  const Mesh mesh{8};
  for (std::string_view name : {"west-first", "west-first-adaptive"}) {
    const auto routing = MakeRouting(name, mesh);
    for (int source = 0; source < mesh.nodes(); ++source)
      for (int destination = 0; destination < mesh.nodes(); ++destination) {
        if (source == destination) continue;
        ForEachHop(
            *routing, mesh, source, destination, 0, [&](const RouteQuery& q, PortSet allowed) {
              if (q.in_port == kLocal || HeadingOnArrival(q.in_port) == kWest) return;
              EXPECT_FALSE(allowed.Contains(kWest)) << name << " turns west at node " << q.node;
            });
      }
  }
}

TEST(NocRoutingTest, OddEvenNeverTakesAForbiddenTurn) {
  // Chiu's rules: no east-to-north or east-to-south turn in an even column, no north-to-west or
  // south-to-west turn in an odd one.
  for (int k : {5, 8}) {
    const Mesh mesh{k};
    const auto routing = MakeRouting("odd-even", mesh);
    for (int source = 0; source < mesh.nodes(); ++source)
      for (int destination = 0; destination < mesh.nodes(); ++destination) {
        if (source == destination) continue;
        ForEachHop(*routing, mesh, source, destination, 0,
                   [&](const RouteQuery& q, PortSet allowed) {
                     if (q.in_port == kLocal) return;
                     const int heading = HeadingOnArrival(q.in_port);
                     const bool even = mesh.X(q.node) % 2 == 0;
                     for (int port = kEast; port < kPorts; ++port) {
                       if (!allowed.Contains(port)) continue;
                       if (even && heading == kEast) {
                         EXPECT_EQ(port, kEast) << "at " << q.node;
                       }
                       if (!even && (heading == kNorth || heading == kSouth)) {
                         EXPECT_NE(port, kWest) << "at " << q.node;
                       }
                     }
                   });
      }
  }
}

// The channel dependency graph of one VC class: an edge from each link a packet can hold to
// each link it can ask for next. Returns whether it has a cycle (Kahn's algorithm).
bool DependencyGraphHasCycle(const RoutingAlgorithm& routing, const Mesh& mesh, int vc_class) {
  const int channels = mesh.nodes() * kPorts;  // link (node, out port) is node x kPorts + port
  std::vector<std::set<int>> next(channels);
  for (int source = 0; source < mesh.nodes(); ++source)
    for (int destination = 0; destination < mesh.nodes(); ++destination) {
      if (source == destination) continue;
      ForEachHop(routing, mesh, source, destination, vc_class,
                 [&](const RouteQuery& q, PortSet allowed) {
                   if (q.in_port == kLocal) return;  // holding the injection channel only
                   const int upstream = mesh.Neighbor(q.node, q.in_port);
                   const int held = upstream * kPorts + OppositePort(q.in_port);
                   for (int port = kEast; port < kPorts; ++port)
                     if (allowed.Contains(port)) next[held].insert(q.node * kPorts + port);
                 });
    }
  std::vector<int> in_degree(channels, 0);
  for (const auto& edges : next)
    for (int to : edges) ++in_degree[to];
  std::queue<int> ready;
  for (int c = 0; c < channels; ++c)
    if (in_degree[c] == 0) ready.push(c);
  int removed = 0;
  while (!ready.empty()) {
    const int c = ready.front();
    ready.pop();
    ++removed;
    for (int to : next[c])
      if (--in_degree[to] == 0) ready.push(to);
  }
  return removed < channels;
}

TEST(NocRoutingTest, EveryAlgorithmHasAnAcyclicChannelDependencyGraph) {
  for (int k : {4, 7, 8}) {
    const Mesh mesh{k};
    for (std::string_view name : RoutingNames()) {
      const auto routing = MakeRouting(name, mesh);
      // O1TURN's classes use disjoint VCs, so each class's graph stands alone.
      for (int vc_class = 0; vc_class < routing->vc_classes(); ++vc_class)
        EXPECT_FALSE(DependencyGraphHasCycle(*routing, mesh, vc_class))
            << name << " class " << vc_class << " on " << k << "x" << k;
    }
  }
}

TEST(NocRoutingTest, TheCheckerFindsTheCycleOfARelationAllowingEveryTurn) {
  const Mesh mesh{4};
  const ClockwiseOn2x2 clockwise(Mesh{2});
  EXPECT_TRUE(DependencyGraphHasCycle(clockwise, Mesh{2}, 0));
  AnyMinimalRoute any(mesh);
  EXPECT_TRUE(DependencyGraphHasCycle(any, mesh, 0));
}

TEST(NocRoutingTest, SelectMostCreditsPrefersAFreeVcThenCreditsThenDrawsAmongTies) {
  std::vector<OutputVc> outputs(kPorts * 2);
  for (OutputVc& vc : outputs) vc.credits = 4;
  PortSet east_north;
  east_north.Add(kEast);
  east_north.Add(kNorth);
  Rng rng(3);
  outputs[kEast * 2 + 0].credits = 1;  // east: 5 credits, north: 8
  EXPECT_EQ(SelectMostCredits(east_north, OutputPortView(outputs.data(), 2, 0, 2), rng), kNorth);
  outputs[kNorth * 2 + 0].owner = 0;  // north's VCs both held: no head can go there now
  outputs[kNorth * 2 + 1].owner = 1;
  EXPECT_EQ(SelectMostCredits(east_north, OutputPortView(outputs.data(), 2, 0, 2), rng), kEast);
  outputs[kNorth * 2 + 0].owner = outputs[kNorth * 2 + 1].owner = -1;
  outputs[kEast * 2 + 0].credits = 4;  // equal: both ports get picked over many draws
  std::set<int> picked;
  for (int i = 0; i < 50; ++i)
    picked.insert(SelectMostCredits(east_north, OutputPortView(outputs.data(), 2, 0, 2), rng));
  EXPECT_EQ(picked, (std::set<int>{kEast, kNorth}));
}

TEST(NocRoutingTest, AnUnknownNameListsTheKnownOnes) {
  try {
    MakeRouting("zigzag", Mesh{4});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("unknown NoC routing 'zigzag'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("odd-even"), std::string::npos);
  }
}

}  // namespace
}  // namespace tessel::noc
