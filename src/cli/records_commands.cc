// `tessel best`, `tessel export` and `tessel import`.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/host_report.h"
#include "core/error.h"
#include "core/stats.h"
#include "problems/schedule/workload.h"
#include "records/record_store.h"

namespace tessel::cli {
namespace {

// The thread count recorded in a task's target, or "-" (replay tasks).
std::string ThreadsOf(const std::string& target) {
  const nlohmann::json parsed = nlohmann::json::parse(target, nullptr, false);
  if (parsed.is_object() && parsed.contains("threads")) return parsed["threads"].dump();
  return "-";
}

// The FLOPs of a schedule task's workload; 0 for other problems.
double FlopsOf(const ProblemKey& key) {
  if (key.problem != "schedule") return 0;
  try {
    return Flops(ParseWorkloadSpec(key.instance));
  } catch (const Error&) {
    return 0;  // a workload of a newer Tessel: still printed, without GFLOP/s
  }
}

// A task by its id, or by its instance (a schedule task's workload) when only one task has it.
int64_t FindTaskId(const RecordStore& store, const std::string& task) {
  const auto tasks = store.Tasks();
  const bool is_id = !task.empty() && std::all_of(task.begin(), task.end(), ::isdigit);
  std::vector<int64_t> matches;
  for (const auto& [id, key] : tasks)
    if (is_id ? std::to_string(id) == task : key.instance == task) matches.push_back(id);
  if (matches.empty())
    throw ConfigError("no task '" + task + "' in the records; 'tessel best' lists the tasks");
  if (matches.size() > 1)
    throw ConfigError("several tasks have instance '" + task +
                      "' (other problems, targets or evaluators); give its id with --task");
  return matches[0];
}

// One row per configuration: its knob values and the median of its successful times (empty
// when every measurement of it failed), in the order the configurations were first measured.
void WriteReplayTable(const RecordStore& store, int64_t task_id, std::ostream& out) {
  const std::vector<MeasurementRecord> history = store.History(task_id);
  if (history.empty()) throw ConfigError("task " + std::to_string(task_id) + " has no records");
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> times;
  for (const MeasurementRecord& record : history) {
    auto [it, added] = times.try_emplace(record.config);
    if (added) order.push_back(record.config);
    if (record.result.ok()) it->second.push_back(record.result.value);
  }
  auto fields = [](const std::string& config) {
    std::vector<std::pair<std::string, std::string>> items;
    std::istringstream text(config);
    for (std::string item; std::getline(text, item, ';');) {
      const size_t eq = item.find('=');
      items.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
    }
    return items;
  };
  for (const auto& [name, value] : fields(order[0])) out << name << ',';
  out << "time_ms\n";
  out.precision(9);
  for (const std::string& config : order) {
    for (const auto& [name, value] : fields(config)) out << value << ',';
    if (!times[config].empty()) out << Median(times[config]);
    out << '\n';
  }
}

}  // namespace

int RunBest(const std::string& db) {
  const RecordStore store(ResolveDbPath(db));
  const std::vector<BestRecord> best = store.BestPerTask();
  std::printf("%-5s %-9s %-44s %7s %10s %-6s %9s %8s %6s %6s  %s\n", "task", "problem", "instance",
              "threads", "best", "unit", "GFLOP/s", "tuner", "seed", "meas.", "config");
  for (const BestRecord& entry : best) {
    const double flops = FlopsOf(entry.task);
    const double value = entry.record.result.value;
    char gflops[32] = "-";
    if (flops > 0) std::snprintf(gflops, sizeof(gflops), "%.1f", flops / value / 1e6);
    std::printf("%-5lld %-9s %-44s %7s %10.4g %-6s %9s %8s %6llu %6lld  %s\n",
                static_cast<long long>(entry.task_id), entry.task.problem.c_str(),
                entry.task.instance.c_str(), ThreadsOf(entry.task.target).c_str(), value,
                entry.objective.unit.c_str(), gflops, entry.tuner.c_str(),
                static_cast<unsigned long long>(entry.seed),
                static_cast<long long>(entry.measurements), entry.record.config.c_str());
  }
  if (best.empty()) std::fprintf(stderr, "tessel: no successful records in the database\n");
  // Kernel times depend on the machine; where they were measured is worth knowing.
  std::vector<std::string> hosts;
  for (const BestRecord& entry : best)
    if (entry.task.problem == "schedule") hosts.push_back(entry.host);
  if (!hosts.empty()) {
    std::printf("\n");
    const std::vector<HostGroup> groups = GroupByMachine(hosts);
    PrintHosts(groups, DescribeThisHost(groups, DefaultThreadCount()), "schedule tasks");
  }
  return 0;
}

int RunExport(const std::string& db, const std::string& format, const std::string& task) {
  if (format != "jsonl" && format != "csv")
    throw ConfigError("unknown export format '" + format + "'; use jsonl or csv");
  if (format == "csv" && task.empty())
    throw ConfigError("--format csv writes one task's replay table; name it with --task");
  if (format == "jsonl" && !task.empty())
    throw ConfigError("--task selects the task of --format csv; jsonl exports every task");
  const RecordStore store(ResolveDbPath(db));
  if (format == "csv") {
    WriteReplayTable(store, FindTaskId(store, task), std::cout);
  } else {
    store.ExportJsonl(std::cout);
  }
  std::cout.flush();
  if (!std::cout) throw IoError("cannot write the export to standard output");
  return 0;
}

int RunImport(const std::string& db, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw IoError("cannot read '" + file + "'; give a file written by 'tessel export'");
  RecordStore store(ResolveDbPath(db));
  const int64_t added = store.ImportJsonl(in);
  std::fprintf(stderr, "imported %lld new records from %s\n", static_cast<long long>(added),
               file.c_str());
  return 0;
}

}  // namespace tessel::cli
