// Tests of Q-routing: its tables' start and update by hand, its choice among odd-even's ports,
// deadlock freedom and flit conservation at full load, minimal routes, determinism, and that it
// learns to beat odd-even where odd-even's local view misleads it (transpose).
#include "problems/noc/q_routing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "problems/noc/mesh_simulator.h"
#include "problems/noc/traffic.h"

namespace tessel::noc {
namespace {

NocConfig Small() {
  NocConfig config;
  config.k = 4;
  config.warmup_cycles = 200;
  config.measure_cycles = 1000;
  return config;
}

TEST(NocQRoutingTest, TablesStartAtTheZeroLoadLatencyOfAMinimalRoute) {
  const NocConfig config = Small();
  const QRouting routing(config);
  const Mesh mesh{4};
  const int from = mesh.Node(0, 0), to = mesh.Node(2, 3);
  EXPECT_EQ(routing.Estimate(from, to, kEast), ZeroLoadLatency(config, 5));
  EXPECT_EQ(routing.Estimate(from, to, kNorth), ZeroLoadLatency(config, 5));
  EXPECT_EQ(routing.BestEstimate(from, from, to), ZeroLoadLatency(config, 5));
  EXPECT_EQ(routing.BestEstimate(from, to, to), ZeroLoadLatency(config, 0));  // the ejection
}

TEST(NocQRoutingTest, AForwardedHeadMovesTheEstimateTowardTheDelayItSaw) {
  NocConfig config = Small();
  config.link_latency = 2;
  config.packet_flits = 3;
  QRoutingOptions options;
  options.learning_rate = 0.25;
  QRouting routing(config, options);
  const Mesh mesh{4};
  // One hop from (1, 0) east to the destination (2, 0): zero-load 1 x (1 + 2) + 1 + 2 = 6.
  const int node = mesh.Node(1, 0), destination = mesh.Node(2, 0);
  ASSERT_EQ(routing.Estimate(node, destination, kEast), 6);
  // 10 cycles here, 2 on the link, then the ejection's 1 + 2: target 15; 6 + 0.25 x 9 = 8.25.
  routing.OnHeadForwarded(RouteQuery{node, kWest, mesh.Node(0, 0), destination, 0}, kEast, 10);
  EXPECT_DOUBLE_EQ(routing.Estimate(node, destination, kEast), 8.25);
  // From (0, 0) the next router's best estimate is now 8.25: a head that waited the minimum
  // (router_latency) aims at 1 + 2 + 8.25 = 11.25, from the zero-load 9: 9 + 0.25 x 2.25.
  const int source = mesh.Node(0, 0);
  routing.OnHeadForwarded(RouteQuery{source, kLocal, source, destination, 0}, kEast, 1);
  EXPECT_DOUBLE_EQ(routing.Estimate(source, destination, kEast), 9.5625);
  EXPECT_EQ(routing.updates(), 2);
  // The next router's estimate is the minimum over the ports odd-even allows there.
  const int far = mesh.Node(3, 3);
  routing.SetEstimate(mesh.Node(1, 1), far, kEast, 40);
  routing.SetEstimate(mesh.Node(1, 1), far, kNorth, 30);
  EXPECT_EQ(routing.BestEstimate(mesh.Node(1, 0), mesh.Node(1, 1), far), 30);
}

TEST(NocQRoutingTest, RoutesToTheAllowedPortWithTheLowestEstimate) {
  QRoutingOptions options;
  options.congestion_weight = 0;
  QRouting routing(Small(), options);
  const Mesh mesh{4};
  // From its source at (1, 1) to (3, 3), odd-even allows east and north.
  const RouteQuery query{mesh.Node(1, 1), kLocal, mesh.Node(1, 1), mesh.Node(3, 3), 0};
  ASSERT_EQ(routing.AllowedPorts(query).size(), 2);
  std::vector<OutputVc> outputs(kPorts * 2);
  for (OutputVc& vc : outputs) vc.credits = 8;
  const OutputPortView view(outputs.data(), 2, 0, 2);
  Rng rng(1);
  routing.SetEstimate(query.node, query.destination, kEast, 20);
  EXPECT_EQ(routing.Route(query, view, rng), kNorth);
  routing.SetEstimate(query.node, query.destination, kNorth, 25);
  EXPECT_EQ(routing.Route(query, view, rng), kEast);
  // Equal estimates: the port with more credits.
  routing.SetEstimate(query.node, query.destination, kNorth, 20);
  outputs[kEast * 2].credits = 3;
  EXPECT_EQ(routing.Route(query, view, rng), kNorth);
  // With the congestion term, five flits queued east outweigh an estimate 4 cycles lower.
  options.congestion_weight = 1;
  QRouting congested(Small(), options);
  congested.SetEstimate(query.node, query.destination, kEast, 16);
  congested.SetEstimate(query.node, query.destination, kNorth, 20);
  EXPECT_EQ(congested.Route(query, view, rng), kNorth);
  outputs[kEast * 2].credits = 8;
  EXPECT_EQ(congested.Route(query, view, rng), kEast);
}

TEST(NocQRoutingTest, NeverDeadlocksAndLosesNoFlitAtFullLoad) {
  // odd-even's turn rules need a single VC; multi-flit packets and small buffers at full load.
  for (int vcs : {1, 2})
    for (const char* traffic : {"uniform", "transpose", "hotspot", "bit-complement"}) {
      NocConfig config = Small();
      config.vcs = vcs;
      config.traffic = traffic;
      config.rate = 1.0;
      config.packet_flits = 4;
      config.buffer_flits = 4;
      config.measure_cycles = 300;
      config.drain_limit_cycles = 20000;
      config.deadlock_cycles = 100;
      QRoutingOptions options;
      options.epsilon = 0.1;
      QRouting routing(config, options);
      const NocStats stats = Simulate(config, routing);
      EXPECT_FALSE(stats.deadlock) << traffic << " vcs " << vcs;
      EXPECT_FALSE(stats.saturated) << traffic << " vcs " << vcs << ": measured packets lost";
      EXPECT_EQ(stats.packets, stats.packets_measured);
      EXPECT_EQ(stats.flits_created,
                stats.flits_queued + stats.flits_in_network + stats.flits_ejected);
      EXPECT_EQ(stats.flits_injected, stats.flits_in_network + stats.flits_ejected);
      EXPECT_GT(stats.throughput, 0.1);
    }
}

TEST(NocQRoutingTest, RoutesAreMinimalAndTheSameSeedGivesTheSameRun) {
  NocConfig config = Small();
  config.traffic = "uniform";
  config.rate = 0.3;
  QRouting routing(config);
  const NocStats learned = Simulate(config, routing);
  // The same packets (injection does not depend on the routing), so the same hop counts.
  const NocStats xy = Simulate(config);
  ASSERT_FALSE(learned.saturated);
  EXPECT_EQ(learned.packets, xy.packets);
  EXPECT_DOUBLE_EQ(learned.hops, xy.hops);
  EXPECT_GT(routing.updates(), learned.packets);

  QRouting again(config);
  const NocStats repeat = Simulate(config, again);
  EXPECT_EQ(repeat.latency, learned.latency);
  EXPECT_EQ(repeat.flits_ejected, learned.flits_ejected);
  EXPECT_EQ(again.Estimate(5, 10, kEast), routing.Estimate(5, 10, kEast));
  config.seed = 1;
  QRouting other(config);
  EXPECT_NE(Simulate(config, other).latency, learned.latency);
}

TEST(NocQRoutingTest, LearnsToBeatOddEvenUnderTransposeTraffic) {
  NocConfig config;  // 8x8: transpose's long diagonal routes leave room to spread the load
  config.traffic = "transpose";
  config.rate = 0.2;
  config.warmup_cycles = 500;
  config.measure_cycles = 1500;
  config.routing = "odd-even";
  const NocStats odd_even = Simulate(config);
  QRouting routing(config);
  const NocStats learned = Simulate(config, routing);
  EXPECT_FALSE(learned.saturated);
  EXPECT_LT(learned.latency, 0.8 * odd_even.latency)
      << learned.latency << " vs odd-even " << odd_even.latency;
  // Plain Boyan-Littman, without the congestion term, gains less but still gains here.
  QRoutingOptions plain;
  plain.congestion_weight = 0;
  QRouting plain_routing(config, plain);
  const NocStats plain_learned = Simulate(config, plain_routing);
  EXPECT_LT(plain_learned.latency, 0.9 * odd_even.latency)
      << plain_learned.latency << " vs odd-even " << odd_even.latency;
  EXPECT_LT(learned.latency, plain_learned.latency);
  // Its tables moved away from zero load where the traffic went: along the diagonal's routes.
  const Mesh mesh{8};
  EXPECT_GT(routing.BestEstimate(mesh.Node(0, 7), mesh.Node(0, 7), mesh.Node(7, 0)),
            ZeroLoadLatency(config, 14));
}

TEST(NocQRoutingTest, BadOptionsAreConfigErrors) {
  QRoutingOptions options;
  options.learning_rate = 0;
  EXPECT_THROW(QRouting(Small(), options), Error);
  options = QRoutingOptions();
  options.epsilon = 1;
  EXPECT_THROW(QRouting(Small(), options), Error);
  options = QRoutingOptions();
  options.congestion_weight = -1;
  EXPECT_THROW(QRouting(Small(), options), Error);
  NocConfig big = Small();
  big.k = 33;
  EXPECT_THROW(QRouting(big, QRoutingOptions()), Error);
}

}  // namespace
}  // namespace tessel::noc
