// Latency against offered load, as BookSim users sweep it: for every traffic pattern and
// routing algorithm, simulations at increasing injection rates until the network saturates
// (the first saturated point is kept, to show where the curve leaves), as CSV rows and a chart.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/svg_chart.h"
#include "problems/noc/mesh_simulator.h"
#include "problems/noc/noc_config.h"

namespace tessel::noc {

struct LoadSweepOptions {
  NocConfig base;  // everything but the traffic, routing and rate
  std::vector<std::string> traffic;
  std::vector<std::string> routings;
  std::vector<double> rates;  // increasing
  uint64_t seed = 0;
  int threads = 0;  // simulations at once; 0: this machine's cores
};

struct SweepPoint {
  std::string traffic, routing;
  double rate = 0;
  NocStats stats;
};

// Validates every combination first (tessel::ConfigError on the first bad one, or on rates
// that are empty or not increasing), then simulates, one curve (pattern x routing) per
// thread. Each point's seed is forked from `seed` by its pattern, routing and rate index, so
// the results do not depend on the number of threads. `on_point` (optional) sees each point as
// it is done, from the thread that simulated it, one at a time. Points come back in the order
// traffic, routing, rate.
std::vector<SweepPoint> RunLoadSweep(const LoadSweepOptions& options,
                                     const std::function<void(const SweepPoint&)>& on_point = {});

// "lo:hi:step" (inclusive of hi, within rounding) or a single rate, as rates; throws
// tessel::ConfigError for a malformed item, a step that is not positive, or more than 1000
// rates.
std::vector<double> ParseRateRange(const std::string& text);

// One CSV row per point, with a header: traffic, routing, rate, offered, throughput, latency,
// latency_p99, network_latency, hops, packets, saturated.
void WriteSweepCsv(const std::vector<SweepPoint>& points, std::ostream& out);

// A panel per traffic pattern, a curve per routing: latency (cycles) against offered load, the
// y axis cut at 4x the panel's lowest latency so that the knees show.
Chart SweepChart(const std::vector<SweepPoint>& points, const NocConfig& base);

}  // namespace tessel::noc
