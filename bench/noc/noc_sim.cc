// Runs Tessel's mesh network-on-chip simulator (src/problems/noc/) from the command line, one
// simulation per offered load, and prints one JSON line per load with its statistics. It is
// the Tessel side of the BookSim 2 comparison in bench/noc/booksim/run.sh, and a quick way to
// look at one latency-load curve by hand:
//
//   noc_sim [--mesh 8] [--vcs 2] [--buffer 8] [--packet 1] [--router-latency 1]
//           [--link-latency 1] [--credit-latency 1] [--routing xy] [--traffic uniform]
//           [--rate 0.1 | --rate 0.05,0.1,0.15] [--warmup 1000] [--measure 10000]
//           [--drain-limit 5000] [--deadlock-cycles 2000] [--seed 0]
//           [--hotspot-fraction 0.2] [--hotspots 27,28]
//
// The defaults are NocConfig's. Every rate of a list is simulated from a fresh network with the
// same seed, so a point does not depend on the others. A bad argument prints one line
// "noc_sim: <why>" on stderr and exits with status 2.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "problems/noc/mesh_simulator.h"
#include "problems/noc/noc_config.h"
#include "problems/noc/routing.h"
#include "problems/noc/traffic.h"

namespace tessel {
namespace {

using Clock = std::chrono::steady_clock;

// "0.1" or "0.05,0.1,0.15". The simulator checks the range of each; this only checks that
// every item is a number, so that "0.1x" is not silently read as 0.1.
std::vector<double> ParseRates(const std::string& text) {
  std::vector<double> rates;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    size_t used = 0;
    double rate = 0;
    try {
      rate = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw ConfigError("--rate item '" + item +
                        "' is not a number; give flits per node per cycle, e.g. 0.1 or "
                        "0.05,0.1,0.15");
    rates.push_back(rate);
  }
  if (rates.empty())
    throw ConfigError("--rate is empty; give flits per node per cycle, e.g. 0.1 or 0.05,0.1");
  return rates;
}

std::vector<int> ParseNodes(const std::string& text) {
  std::vector<int> nodes;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    size_t used = 0;
    int node = 0;
    try {
      node = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw ConfigError("--hotspots item '" + item +
                        "' is not a node number; give a comma list such as 27,28,35,36");
    nodes.push_back(node);
  }
  return nodes;
}

nlohmann::json Point(const noc::NocConfig& config, const noc::NocStats& stats, double seconds) {
  nlohmann::json point;
  point["mesh"] = config.k;
  point["vcs"] = config.vcs;
  point["buffer"] = config.buffer_flits;
  point["packet"] = config.packet_flits;
  point["router_latency"] = config.router_latency;
  point["link_latency"] = config.link_latency;
  point["credit_latency"] = config.credit_latency;
  point["routing"] = config.routing;
  point["traffic"] = config.traffic;
  point["rate"] = config.rate;
  point["warmup"] = config.warmup_cycles;
  point["measure"] = config.measure_cycles;
  point["seed"] = config.seed;
  point["latency"] = stats.latency;
  point["latency_p99"] = stats.latency_p99;
  point["network_latency"] = stats.network_latency;
  point["hops"] = stats.hops;
  point["throughput"] = stats.throughput;
  point["offered"] = stats.offered;
  point["packets"] = stats.packets;
  point["packets_measured"] = stats.packets_measured;
  point["saturated"] = stats.saturated;
  point["deadlock"] = stats.deadlock;
  point["cycles"] = stats.cycles;
  point["zero_load_latency_model"] = stats.zero_load_latency_model;
  point["wall_s"] = seconds;
  point["cycles_per_s"] = seconds > 0 ? static_cast<double>(stats.cycles) / seconds : 0.0;
  return point;
}

int Main(int argc, char** argv) {
  noc::NocConfig config;
  std::string rates_text = "0.1", hotspots_text;
  CLI::App app{"Tessel's mesh network-on-chip simulator: one JSON line of statistics per rate"};
  app.add_option("--mesh", config.k, "the mesh is k x k")->capture_default_str();
  app.add_option("--vcs", config.vcs, "virtual channels per input port")->capture_default_str();
  app.add_option("--buffer", config.buffer_flits, "flits each VC buffers")->capture_default_str();
  app.add_option("--packet", config.packet_flits, "flits per packet")->capture_default_str();
  app.add_option("--router-latency", config.router_latency,
                 "cycles from entering an input buffer to crossing the switch")
      ->capture_default_str();
  app.add_option("--link-latency", config.link_latency, "cycles on a link between routers")
      ->capture_default_str();
  app.add_option("--credit-latency", config.credit_latency,
                 "cycles for a credit to travel back upstream")
      ->capture_default_str();
  app.add_option("--routing", config.routing, "one of: " + noc::JoinNames(noc::RoutingNames()))
      ->capture_default_str();
  app.add_option("--traffic", config.traffic, "one of: " + noc::JoinNames(noc::TrafficNames()))
      ->capture_default_str();
  app.add_option("--rate", rates_text,
                 "offered load in flits per node per cycle, in (0, 1]; a comma list sweeps")
      ->capture_default_str();
  app.add_option("--warmup", config.warmup_cycles, "cycles run before measuring")
      ->capture_default_str();
  app.add_option("--measure", config.measure_cycles,
                 "cycles whose packets are measured (the run then drains them)")
      ->capture_default_str();
  app.add_option("--drain-limit", config.drain_limit_cycles,
                 "cycles after the window for the measured packets to arrive before the run "
                 "is reported saturated")
      ->capture_default_str();
  app.add_option("--deadlock-cycles", config.deadlock_cycles,
                 "cycles without a flit moving (with flits in the network) that count as "
                 "deadlock")
      ->capture_default_str();
  app.add_option("--seed", config.seed, "seeds injection, destinations and routing")
      ->capture_default_str();
  app.add_option("--hotspot-fraction", config.hotspot_fraction,
                 "hotspot traffic: the share of packets sent to the hotspots")
      ->capture_default_str();
  app.add_option("--hotspots", hotspots_text,
                 "hotspot traffic: comma list of hotspot nodes (default: the centre)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    // One line, as for every other bad argument, instead of CLI11's usage dump.
    throw ConfigError(error.what());
  }

  if (!hotspots_text.empty()) config.hotspot_nodes = ParseNodes(hotspots_text);
  const std::vector<double> rates = ParseRates(rates_text);
  // Check every rate before the first simulation, so that a typo at the end of a long sweep
  // fails at once rather than after minutes of output.
  for (double rate : rates) {
    config.rate = rate;
    noc::Validate(config);
  }
  for (double rate : rates) {
    config.rate = rate;
    const Clock::time_point start = Clock::now();
    const noc::NocStats stats = noc::Simulate(config);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::cout << Point(config, stats, seconds).dump() << std::endl;
  }
  return 0;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& error) {
    std::fprintf(stderr, "noc_sim: %s\n", error.what());
    return 2;
  }
}
