// Tests of the mesh simulator against what is known of meshes: its zero-load latency model,
// the mean hop count of uniform traffic, XY's saturation below the bisection bound, adaptive
// routing's edge on transpose; and of the simulator itself: no deadlock under any routing and
// pattern at full load, the detector catching a real one, determinism, flit conservation.
#include "problems/noc/mesh_simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/error.h"
#include "problems/noc/routing_test_util.h"
#include "problems/noc/traffic.h"

namespace tessel::noc {
namespace {

NocConfig ZeroLoad() {
  NocConfig config;
  config.rate = 0.002;
  return config;
}

void ExpectZeroLoadLatencyMatchesTheModel(const NocConfig& config) {
  const NocStats stats = Simulate(config);
  ASSERT_GT(stats.packets, 250);
  EXPECT_FALSE(stats.saturated);
  EXPECT_EQ(stats.packets, stats.packets_measured);
  // The model is computed per packet from its own hop count, then averaged like the latency.
  EXPECT_NEAR(stats.latency / stats.zero_load_latency_model, 1.0, 0.03)
      << stats.latency << " simulated, " << stats.zero_load_latency_model << " modelled";
  EXPECT_GE(stats.latency, stats.zero_load_latency_model);  // contention only adds
}

TEST(NocSimulatorTest, ZeroLoadLatencyMatchesTheModel) {
  ExpectZeroLoadLatencyMatchesTheModel(ZeroLoad());
}

TEST(NocSimulatorTest, ZeroLoadLatencyMatchesTheModelWithFourFlitPackets) {
  NocConfig config = ZeroLoad();
  config.packet_flits = 4;
  ExpectZeroLoadLatencyMatchesTheModel(config);
}

TEST(NocSimulatorTest, ZeroLoadLatencyMatchesTheModelWithSlowRoutersAndLinks) {
  NocConfig config = ZeroLoad();
  config.router_latency = 2;
  config.link_latency = 2;
  config.packet_flits = 2;
  ExpectZeroLoadLatencyMatchesTheModel(config);
}

TEST(NocSimulatorTest, UniformTrafficAveragesTheExpectedHopCount) {
  NocConfig config;
  config.rate = 0.1;
  config.measure_cycles = 5000;
  const NocStats stats = Simulate(config);
  // 2(k^2 - 1)/(3k) = 5.25 is the mean distance over all (source, destination) pairs, a node
  // to itself included; uniform traffic never sends to itself, which raises the mean by
  // N/(N - 1) to 5.333 on 8x8. Computed here pair by pair.
  const Mesh mesh{config.k};
  int64_t distance_sum = 0;
  for (int s = 0; s < mesh.nodes(); ++s)
    for (int d = 0; d < mesh.nodes(); ++d) distance_sum += mesh.Hops(s, d);
  const double expected = static_cast<double>(distance_sum) / (mesh.nodes() * (mesh.nodes() - 1.0));
  EXPECT_NEAR(expected, 5.25 * 64 / 63, 1e-9);
  EXPECT_NEAR(stats.hops / expected, 1.0, 0.02) << stats.hops;
}

TEST(NocSimulatorTest, XyUniformSaturatesBelowTheBisectionBound) {
  NocConfig config;
  config.measure_cycles = 4000;
  config.drain_limit_cycles = 2000;
  config.rate = 0.8;
  const NocStats saturated = Simulate(config);
  EXPECT_LT(saturated.throughput, 0.5);  // bisection: 2k links each way carry half of N x rate
  EXPECT_GT(saturated.throughput, 0.3);  // but not collapsed
  EXPECT_TRUE(saturated.saturated);
  EXPECT_NEAR(saturated.offered, 0.8, 0.01);

  config.rate = 0.1;
  const NocStats light = Simulate(config);
  EXPECT_FALSE(light.saturated);
  EXPECT_NEAR(light.throughput / light.offered, 1.0, 0.02);
  EXPECT_NEAR(light.offered, 0.1, 0.005);
}

TEST(NocSimulatorTest, AdaptiveRoutingAcceptsMoreTransposeTrafficThanXy) {
  NocConfig config;
  config.traffic = "transpose";
  config.rate = 0.4;  // XY saturates near 0.19 here
  config.measure_cycles = 4000;
  config.drain_limit_cycles = 1000;
  const NocStats xy = Simulate(config);
  EXPECT_TRUE(xy.saturated);
  for (const char* adaptive : {"odd-even", "west-first-adaptive"}) {
    config.routing = adaptive;
    const NocStats stats = Simulate(config);
    EXPECT_GT(stats.throughput, 1.15 * xy.throughput)
        << adaptive << " " << stats.throughput << " vs xy " << xy.throughput;
  }
  // Below XY's saturation point on transpose, odd-even still delivers everything.
  config.rate = 0.2;
  config.routing = "xy";
  const NocStats xy_light = Simulate(config);
  config.routing = "odd-even";
  const NocStats odd_even_light = Simulate(config);
  EXPECT_TRUE(xy_light.saturated);
  EXPECT_FALSE(odd_even_light.saturated);
  EXPECT_LT(odd_even_light.latency, xy_light.latency);
}

TEST(NocSimulatorTest, NoRoutingDeadlocksUnderAnyPatternAtFullLoad) {
  // Full load with multi-flit packets and small buffers, the hardest case for deadlock. Every
  // packet created in a short window must still arrive (long drain): that rules out a partial
  // deadlock as well as the global one the detector sees.
  for (std::string_view routing : RoutingNames())
    for (std::string_view traffic : TrafficNames()) {
      NocConfig config;
      config.k = 4;
      config.routing = routing;
      config.traffic = traffic;
      config.rate = 1.0;
      config.packet_flits = 4;
      config.buffer_flits = 4;
      config.warmup_cycles = 200;
      config.measure_cycles = 300;
      config.drain_limit_cycles = 20000;
      config.deadlock_cycles = 100;
      const NocStats stats = Simulate(config);
      EXPECT_FALSE(stats.deadlock) << routing << " " << traffic;
      EXPECT_FALSE(stats.saturated) << routing << " " << traffic << ": measured packets lost";
      EXPECT_EQ(stats.packets, stats.packets_measured);
      EXPECT_GT(stats.throughput, 0.1) << routing << " " << traffic;
    }
}

TEST(NocSimulatorTest, TheDetectorCatchesADeadlockAndEndsTheRun) {
  // Every turn allowed, one VC, packets twice as long as a buffer, full load.
  NocConfig config;
  config.k = 4;
  config.vcs = 1;
  config.buffer_flits = 2;
  config.packet_flits = 4;
  config.rate = 1.0;
  config.warmup_cycles = 0;
  config.measure_cycles = 5000;
  config.drain_limit_cycles = 5000;
  config.deadlock_cycles = 200;
  for (uint64_t seed : {0, 1, 2}) {
    config.seed = seed;
    AnyMinimalRoute any_turn(Mesh{4});
    const NocStats stats = Simulate(config, any_turn);
    EXPECT_TRUE(stats.deadlock) << "seed " << seed;
    EXPECT_TRUE(stats.saturated);
    EXPECT_LT(stats.cycles, 2000);  // ended early, not at the drain limit
    EXPECT_GT(stats.flits_in_network, 0);
  }
  // The same network under odd-even, whose turn rules need no more than the one VC, flows.
  config.routing = "odd-even";
  const NocStats odd_even = Simulate(config);
  EXPECT_FALSE(odd_even.deadlock);
  EXPECT_GT(odd_even.throughput, 0.2);
}

NocConfig Busy(uint64_t seed) {
  NocConfig config;
  config.routing = "odd-even";  // adaptive, with random tie breaks
  config.traffic = "hotspot";
  config.rate = 0.2;  // busy enough for contention and ties, short of saturation
  config.packet_flits = 2;
  config.warmup_cycles = 300;
  config.measure_cycles = 1500;
  config.seed = seed;
  return config;
}

void ExpectSameStats(const NocStats& a, const NocStats& b) {
  EXPECT_EQ(a.latency, b.latency);
  EXPECT_EQ(a.latency_p99, b.latency_p99);
  EXPECT_EQ(a.network_latency, b.network_latency);
  EXPECT_EQ(a.hops, b.hops);
  EXPECT_EQ(a.throughput, b.throughput);
  EXPECT_EQ(a.offered, b.offered);
  EXPECT_EQ(a.packets, b.packets);
  EXPECT_EQ(a.cycles, b.cycles);
  EXPECT_EQ(a.saturated, b.saturated);
  EXPECT_EQ(a.flits_ejected, b.flits_ejected);
}

TEST(NocSimulatorTest, TheSameSeedGivesTheSameRunAndAnotherSeedAnother) {
  ExpectSameStats(Simulate(Busy(1)), Simulate(Busy(1)));
  NocConfig o1turn = Busy(2);
  o1turn.routing = "o1turn";
  ExpectSameStats(Simulate(o1turn), Simulate(o1turn));
  const NocStats one = Simulate(Busy(1)), two = Simulate(Busy(2));
  EXPECT_NE(one.latency, two.latency);
  EXPECT_NE(one.flits_ejected, two.flits_ejected);
}

TEST(NocSimulatorTest, EveryFlitIsEjectedOnceOrIsStillAccountedFor) {
  NocConfig saturated = Busy(3);
  saturated.rate = 1.0;
  saturated.packet_flits = 4;
  saturated.drain_limit_cycles = 500;
  NocConfig light = Busy(4);
  light.rate = 0.05;
  light.routing = "west-first";
  for (const NocConfig& config : {saturated, light}) {
    const NocStats stats = Simulate(config);
    // Each count is kept or taken independently: creation, the source queues, a walk over every
    // buffer and wire, and ejection (which checks each flit's destination and order).
    EXPECT_EQ(stats.flits_created,
              stats.flits_queued + stats.flits_in_network + stats.flits_ejected);
    EXPECT_EQ(stats.flits_injected, stats.flits_in_network + stats.flits_ejected);
    EXPECT_GT(stats.flits_ejected, 0);
  }
  const NocStats drained = Simulate(light);
  EXPECT_FALSE(drained.saturated);
  EXPECT_EQ(drained.packets, drained.packets_measured);
}

// XY, watched: what a learned routing algorithm would see of the simulator.
class WatchedXy : public RoutingAlgorithm {
 public:
  explicit WatchedXy(const Mesh& mesh) : xy_(MakeRouting("xy", mesh)) {}
  PortSet AllowedPorts(const RouteQuery& q) const override { return xy_->AllowedPorts(q); }
  int Route(const RouteQuery& q, const OutputPortView& view, Rng& rng) override {
    ++routed;
    return xy_->Route(q, view, rng);
  }
  void OnHeadForwarded(const RouteQuery&, int, int64_t cycles_at_router) override {
    ++forwarded;
    min_cycles_at_router = std::min(min_cycles_at_router, cycles_at_router);
  }
  void OnPacketDelivered(int source, int destination, int64_t latency, int hops) override {
    ++delivered;
    delivered_hops += hops;
    EXPECT_EQ(hops, Mesh{4}.Hops(source, destination));
    EXPECT_GE(latency, 3 * hops + 2);
  }

  int64_t routed = 0, forwarded = 0, delivered = 0, delivered_hops = 0;
  int64_t min_cycles_at_router = 1 << 30;

 private:
  std::unique_ptr<RoutingAlgorithm> xy_;
};

TEST(NocSimulatorTest, ARoutingAlgorithmOfTheCallersSeesEveryHopAndDelivery) {
  NocConfig config;
  config.k = 4;
  config.rate = 0.2;
  config.router_latency = 2;
  config.warmup_cycles = 100;
  config.measure_cycles = 1000;
  WatchedXy watched(Mesh{4});
  const NocStats stats = Simulate(config, watched);
  EXPECT_EQ(watched.delivered, stats.flits_ejected);  // one-flit packets
  EXPECT_GE(watched.forwarded, watched.delivered_hops);
  EXPECT_EQ(watched.routed, watched.forwarded);  // oblivious: asked once per router
  EXPECT_EQ(watched.min_cycles_at_router, config.router_latency);

  // A VC count its classes do not divide is refused.
  class TwoClasses : public WatchedXy {
   public:
    using WatchedXy::WatchedXy;
    int vc_classes() const override { return 2; }
  } two_classes(Mesh{4});
  config.vcs = 3;
  EXPECT_THROW(Simulate(config, two_classes), Error);
}

}  // namespace
}  // namespace tessel::noc
