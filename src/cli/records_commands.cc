// `tessel best`, `tessel export` and `tessel import`.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "records/record_store.h"
#include "workload/workload.h"

namespace tessel::cli {
namespace {

// The thread count recorded in a task's target, or "-" (replay tasks).
std::string ThreadsOf(const std::string& target) {
  const nlohmann::json parsed = nlohmann::json::parse(target, nullptr, false);
  if (parsed.is_object() && parsed.contains("threads")) return parsed["threads"].dump();
  return "-";
}

double FlopsOf(const std::string& workload) {
  if (workload.rfind("replay:", 0) == 0) return 0;
  try {
    return Flops(ParseWorkloadSpec(workload));
  } catch (const Error&) {
    return 0;  // a workload of a newer Tessel: still printed, without GFLOP/s
  }
}

}  // namespace

int RunBest(const std::string& db) {
  const RecordStore store(ResolveDbPath(db));
  const std::vector<BestRecord> best = store.BestPerTask();
  std::printf("%-5s %-44s %7s %10s %9s %8s %6s %6s  %s\n", "task", "workload", "threads", "best ms",
              "GFLOP/s", "tuner", "seed", "meas.", "config");
  for (const BestRecord& entry : best) {
    const double flops = FlopsOf(entry.task.workload);
    const double ms = entry.record.result.time_ms;
    char gflops[32] = "-";
    if (flops > 0) std::snprintf(gflops, sizeof(gflops), "%.1f", flops / ms / 1e6);
    std::printf("%-5lld %-44s %7s %10.4g %9s %8s %6llu %6lld  %s\n",
                static_cast<long long>(entry.task_id), entry.task.workload.c_str(),
                ThreadsOf(entry.task.target).c_str(), ms, gflops, entry.tuner.c_str(),
                static_cast<unsigned long long>(entry.seed),
                static_cast<long long>(entry.measurements), entry.record.config.c_str());
  }
  if (best.empty()) std::fprintf(stderr, "tessel: no successful records in the database\n");
  return 0;
}

int RunExport(const std::string& db, const std::string& format) {
  if (format != "jsonl") throw ConfigError("unknown export format '" + format + "'; use jsonl");
  const RecordStore store(ResolveDbPath(db));
  store.ExportJsonl(std::cout);
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
