#include "problems/noc/load_sweep.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <ostream>

#include "core/error.h"
#include "core/key_values.h"
#include "core/parallel_for.h"
#include "core/rng.h"

namespace tessel::noc {
namespace {

struct Curve {
  std::string traffic, routing;
  std::vector<SweepPoint> points;
};

void SimulateCurve(const LoadSweepOptions& options, Curve& curve,
                   const std::function<void(const SweepPoint&)>& on_point, std::mutex& mutex) {
  const Rng curve_rng = Rng(options.seed).Fork(curve.traffic + "/" + curve.routing);
  for (size_t i = 0; i < options.rates.size(); ++i) {
    NocConfig config = options.base;
    config.traffic = curve.traffic;
    config.routing = curve.routing;
    config.rate = options.rates[i];
    config.seed = curve_rng.Fork("rate", i).Next();
    SweepPoint point{curve.traffic, curve.routing, config.rate, Simulate(config)};
    curve.points.push_back(point);
    if (on_point) {
      std::lock_guard<std::mutex> lock(mutex);
      on_point(point);
    }
    if (point.stats.saturated) break;  // beyond this load the latency only grows
  }
}

}  // namespace

std::vector<SweepPoint> RunLoadSweep(const LoadSweepOptions& options,
                                     const std::function<void(const SweepPoint&)>& on_point) {
  if (options.rates.empty()) throw ConfigError("the load sweep needs at least one rate");
  if (!std::is_sorted(options.rates.begin(), options.rates.end()) ||
      std::adjacent_find(options.rates.begin(), options.rates.end()) != options.rates.end())
    throw ConfigError("the load sweep's rates must increase, e.g. 0.02:0.5:0.02");
  if (options.traffic.empty() || options.routings.empty())
    throw ConfigError("the load sweep needs at least one traffic pattern and one routing");
  std::vector<Curve> curves;
  for (const std::string& traffic : options.traffic)
    for (const std::string& routing : options.routings) {
      for (double rate : options.rates) {
        NocConfig config = options.base;
        config.traffic = traffic, config.routing = routing, config.rate = rate;
        Validate(config);
      }
      curves.push_back({traffic, routing, {}});
    }
  std::mutex mutex;
  ParallelFor(curves.size(), static_cast<size_t>(std::max(0, options.threads)),
              [&](size_t i) { SimulateCurve(options, curves[i], on_point, mutex); });
  std::vector<SweepPoint> points;
  for (Curve& curve : curves)
    for (SweepPoint& point : curve.points) points.push_back(std::move(point));
  return points;
}

std::vector<double> ParseRateRange(const std::string& text) {
  const size_t first = text.find(':');
  if (first == std::string::npos) return {ParseOptionNumber(text, "--rates", "rate", false)};
  const size_t second = text.find(':', first + 1);
  if (second == std::string::npos || text.find(':', second + 1) != std::string::npos)
    throw ConfigError("--rates takes rates or ranges lo:hi:step, e.g. 0.02:0.5:0.02; got '" + text +
                      "'");
  const double lo = ParseOptionNumber(text.substr(0, first), "--rates", "lo", false);
  const double hi =
      ParseOptionNumber(text.substr(first + 1, second - first - 1), "--rates", "hi", false);
  const double step = ParseOptionNumber(text.substr(second + 1), "--rates", "step", false);
  if (!(step > 0) || !(hi >= lo))
    throw ConfigError("--rates range " + text + " needs lo <= hi and a positive step");
  if ((hi - lo) / step > 1000)
    throw ConfigError("--rates range " + text + " has over 1000 rates; give a larger step");
  std::vector<double> rates;
  // Rates are lo + i x step, rounded to 9 decimals so that 0.1 + 0.2 prints as 0.3.
  for (int i = 0; lo + i * step <= hi + step * 1e-9; ++i)
    rates.push_back(std::round((lo + i * step) * 1e9) / 1e9);
  return rates;
}

void WriteSweepCsv(const std::vector<SweepPoint>& points, std::ostream& out) {
  out << "traffic,routing,rate,offered,throughput,latency,latency_p99,network_latency,hops,"
         "packets,saturated\n";
  for (const SweepPoint& p : points)
    out << p.traffic << ',' << p.routing << ',' << p.rate << ',' << p.stats.offered << ','
        << p.stats.throughput << ',' << p.stats.latency << ',' << p.stats.latency_p99 << ','
        << p.stats.network_latency << ',' << p.stats.hops << ',' << p.stats.packets << ','
        << (p.stats.saturated ? 1 : 0) << '\n';
}

Chart SweepChart(const std::vector<SweepPoint>& points, const NocConfig& base) {
  Chart chart;
  chart.title = std::to_string(base.k) + "x" + std::to_string(base.k) + " mesh, " +
                std::to_string(base.vcs) + " VCs x " + std::to_string(base.buffer_flits) +
                " flits, " + std::to_string(base.packet_flits) + "-flit packets";
  chart.x_label = "offered load (flits/node/cycle)";
  chart.y_label = "average packet latency (cycles)";
  for (const SweepPoint& point : points) {
    if (chart.panels.empty() || chart.panels.back().title != point.traffic)
      chart.panels.push_back({point.traffic, {}, {}, {}});
    ChartPanel& panel = chart.panels.back();
    if (panel.series.empty() || panel.series.back().name != point.routing)
      panel.series.push_back({point.routing, {}});
    panel.series.back().points.emplace_back(point.rate, point.stats.latency);
  }
  for (ChartPanel& panel : chart.panels) {
    double lowest = INFINITY;
    for (const ChartSeries& s : panel.series)
      for (const auto& [x, y] : s.points) lowest = std::min(lowest, y);
    if (std::isfinite(lowest) && lowest > 0) panel.y_max = 4 * lowest;
  }
  return chart;
}

}  // namespace tessel::noc
