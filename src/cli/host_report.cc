#include "cli/host_report.h"

#include <cmath>
#include <cstdio>

#include "core/stats.h"

namespace tessel::cli {
namespace {

// The median of a group's peaks at `threads`; NaN when none was measured there.
double GroupPeak(const HostGroup& group, int threads) {
  const auto found = group.peaks.find(threads);
  return found == group.peaks.end() ? std::nan("") : Median(found->second);
}

std::string PeakText(double gflops, int threads) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.0f GFLOP/s on %d thread%s", gflops, threads,
                threads == 1 ? "" : "s");
  return text;
}

}  // namespace

std::vector<HostGroup> GroupByMachine(const std::vector<std::string>& hosts) {
  std::vector<HostGroup> groups;
  std::map<std::string, size_t> index;  // by the machine's summary
  for (const std::string& text : hosts) {
    HostDescription host = HostFromJson(text);
    const FmaPeak peak = host.peak;
    host.peak = {};
    const auto [found, added] = index.try_emplace(HostSummary(host), groups.size());
    if (added) groups.push_back({host, 0, {}});
    HostGroup& group = groups[found->second];
    ++group.records;
    if (peak.threads > 0) group.peaks[peak.threads].push_back(peak.gflops);
  }
  return groups;
}

ThisHost DescribeThisHost(const std::vector<HostGroup>& groups, int default_threads) {
  ThisHost here{DescribeHost(0), {}};
  for (const HostGroup& group : groups)
    for (const auto& [threads, peaks] : group.peaks) here.peaks[threads] = 0;
  if (here.peaks.empty()) here.peaks[default_threads] = 0;
  for (auto& [threads, gflops] : here.peaks) gflops = MeasureFmaPeak(threads, 40).gflops;
  return here;
}

void PrintHosts(const std::vector<HostGroup>& groups, const ThisHost& here, const char* noun) {
  for (const HostGroup& group : groups) {
    std::string peaks;
    for (const auto& [threads, values] : group.peaks)
      peaks += ", FMA peak " + PeakText(Median(values), threads);
    if (group.machine.cpu.empty() && group.machine.vendor.empty())
      peaks = " (runs recorded before Tessel kept their host)";
    std::string counted = noun;
    if (group.records == 1 && counted.ends_with('s')) counted.pop_back();
    std::printf("measured on: %s%s: %d %s\n", HostSummary(group.machine).c_str(), peaks.c_str(),
                group.records, counted.c_str());
  }
  std::string peaks;
  for (const auto& [threads, gflops] : here.peaks) {
    peaks += ", FMA peak " + PeakText(gflops, threads);
    for (const HostGroup& group : groups) {
      const double theirs = GroupPeak(group, threads);
      if (!std::isfinite(theirs) || !(theirs > 0)) continue;
      char ratio[32];
      std::snprintf(ratio, sizeof(ratio), " (%.2fx", gflops / theirs);
      peaks += ratio;
      peaks += groups.size() == 1 ? " the records' host)" : " that of " + group.machine.cpu + ")";
    }
  }
  std::printf("this host:   %s%s\n", HostSummary(here.machine).c_str(), peaks.c_str());
}

nlohmann::json HostsJson(const std::vector<HostGroup>& groups, const ThisHost& here) {
  auto machine_json = [](const HostDescription& machine) {
    return nlohmann::json::parse(HostToJson(machine));
  };
  nlohmann::json record_hosts = nlohmann::json::array();
  for (const HostGroup& group : groups) {
    nlohmann::json entry = machine_json(group.machine);
    entry["records"] = group.records;
    nlohmann::json peaks = nlohmann::json::object();
    for (const auto& [threads, values] : group.peaks)
      peaks[std::to_string(threads)] = Median(values);
    entry["fma_peak_gflops"] = std::move(peaks);
    record_hosts.push_back(std::move(entry));
  }
  nlohmann::json host = machine_json(here.machine);
  nlohmann::json peaks = nlohmann::json::object();
  for (const auto& [threads, gflops] : here.peaks) peaks[std::to_string(threads)] = gflops;
  host["fma_peak_gflops"] = std::move(peaks);
  return {{"record_hosts", std::move(record_hosts)}, {"host", std::move(host)}};
}

}  // namespace tessel::cli
