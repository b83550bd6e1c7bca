// `tessel noc sweep`: the latency-load curves of load_sweep.h, as CSV (stdout or --csv) and an
// SVG chart (--svg), with a progress line per point on stderr.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "core/error.h"
#include "problems/noc/load_sweep.h"
#include "problems/noc/noc_problem.h"
#include "problems/noc/routing_catalog.h"

namespace tessel::cli {
namespace {

// An output file written whole at the end: created (empty, as path.partial) before the long
// work so that an unwritable path fails at once, and renamed over `path` only when complete,
// so that a failed run leaves an earlier file as it was.
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
    if (path_.empty()) return;
    std::ofstream probe(partial_);
    if (!probe) throw IoError("cannot write " + partial_ + "; give a path in a writable directory");
  }
  ~OutputFile() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove(partial_, ignored);
  }
  void Write(const std::string& text) {
    {
      std::ofstream out(partial_, std::ios::binary);
      out << text;
      out.flush();
      if (!out) throw IoError("writing " + partial_ + " failed (disk full?)");
    }
    std::filesystem::rename(partial_, path_);
  }

 private:
  std::string path_, partial_;
};

std::vector<double> ExpandRates(const std::vector<std::string>& items) {
  std::vector<double> rates;
  for (const std::string& item : items)
    for (double rate : noc::ParseRateRange(item)) rates.push_back(rate);
  return rates;
}

}  // namespace

int RunNocSweep(const NocSweepOptions& options) {
  noc::LoadSweepOptions sweep;
  if (options.mesh) sweep.base.k = *options.mesh;
  noc::ApplyNocOptions(options.noc, "--noc", sweep.base);
  sweep.traffic = options.traffic.empty()
                      ? std::vector<std::string>{"uniform", "transpose", "hotspot"}
                      : options.traffic;
  for (std::string_view name : noc::AllRoutingNames()) sweep.routings.emplace_back(name);
  if (!options.routing.empty()) sweep.routings = options.routing;
  sweep.rates =
      ExpandRates(options.rates.empty() ? std::vector<std::string>{"0.01:1:0.01"} : options.rates);
  sweep.seed = options.seed;
  if (options.threads < 0) throw ConfigError("--threads must be at least 1 (0: all cores)");
  sweep.threads = options.threads;
  OutputFile csv_file(options.csv), svg_file(options.svg);

  const std::vector<noc::SweepPoint> points =
      noc::RunLoadSweep(sweep, [](const noc::SweepPoint& point) {
        std::fprintf(stderr, "%-15s %-20s rate %-6s latency %8.2f  accepted %.4f%s\n",
                     point.traffic.c_str(), point.routing.c_str(),
                     noc::FormatNumber(point.rate).c_str(), point.stats.latency,
                     point.stats.throughput, point.stats.saturated ? "  saturated" : "");
      });
  std::ostringstream csv;
  noc::WriteSweepCsv(points, csv);
  if (options.csv.empty()) {
    std::cout << csv.str() << std::flush;
  } else {
    csv_file.Write(csv.str());
  }
  if (!options.svg.empty()) svg_file.Write(RenderSvg(noc::SweepChart(points, sweep.base)));
  return 0;
}

}  // namespace tessel::cli
