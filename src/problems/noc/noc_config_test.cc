// Tests of the mesh simulator's parameter checks and its zero-load latency model.
#include "problems/noc/noc_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "core/error.h"
#include "problems/noc/mesh_simulator.h"

namespace tessel::noc {
namespace {

// The message of the ConfigError that Simulate throws on `config` with `change` applied, or ""
// when there is none (Simulate validates before it runs anything).
std::string ErrorFor(const std::function<void(NocConfig&)>& change) {
  NocConfig config;
  config.k = 4;
  config.warmup_cycles = 0;
  config.measure_cycles = 10;
  change(config);
  try {
    Simulate(config);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
    return message;
  }
  return "";
}

bool Says(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

TEST(NocConfigTest, BadParametersAreConfigErrorsThatNameTheProblem) {
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.k = 1; }), "mesh size k = 1 is too small"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.k = 100; }), "mesh size k = 100 is too large"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.rate = 0; }), "rate"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.rate = -0.5; }), "outside (0, 1]"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.rate = 1.01; }), "outside (0, 1]"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.rate = std::nan(""); }), "outside (0, 1]"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.routing = "dor"; }), "unknown NoC routing 'dor'"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.traffic = "bursty"; }),
                   "unknown NoC traffic pattern 'bursty'"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) {
                     c.routing = "o1turn";
                     c.vcs = 3;
                   }),
                   "o1turn routing needs an even number of VCs"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) {
                     c.routing = "o1turn";
                     c.vcs = 1;
                   }),
                   "o1turn routing needs an even number of VCs"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) {
                     c.k = 6;
                     c.traffic = "shuffle";
                   }),
                   "shuffle traffic needs a power-of-two node count"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.buffer_flits = 0; }), "buffer_flits"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.vcs = 0; }), "vcs"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.packet_flits = 0; }), "packet_flits"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.router_latency = 0; }), "router_latency"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.link_latency = 0; }), "link_latency"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.measure_cycles = 0; }), "measure_cycles"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.warmup_cycles = -1; }), "warmup_cycles"));
  EXPECT_TRUE(Says(ErrorFor([](NocConfig& c) { c.deadlock_cycles = 0; }), "deadlock_cycles"));
  EXPECT_EQ(ErrorFor([](NocConfig& c) {
              c.routing = "o1turn";
              c.vcs = 4;
            }),
            "");
  EXPECT_EQ(ErrorFor([](NocConfig&) {}), "");
}

TEST(NocConfigTest, ZeroLoadLatencyIsHopsTimesRouterAndLinkPlusEjectionAndSerialization) {
  NocConfig config;
  EXPECT_EQ(ZeroLoadLatency(config, 1), 2 + 1);
  EXPECT_EQ(ZeroLoadLatency(config, 6), 6 * 2 + 1);
  config.packet_flits = 4;
  config.router_latency = 2;
  config.link_latency = 3;
  EXPECT_EQ(ZeroLoadLatency(config, 5), 5 * (2 + 3) + 2 + 3);
}

}  // namespace
}  // namespace tessel::noc
