// Times the best kernels of many tuning runs again, task by task, in interleaved rounds, so
// that a table's spread across seeds measures the configurations the tuners chose and not the
// minutes each run was measured in.
//
//   retime_runs RECORDS.jsonl [--rounds 15] [--round-ms 20] [--seed 1] [--shard K/N]
//               > RETIMED.jsonl
//
// RECORDS holds `tessel export` records, typically each run's fastest
// (bench/common/best_records.py --per-run). They are grouped by task (workload, template, version,
// target); for each task every record's configuration is built on the same input data,
// checked against the template's plain-loop Reference(), and all of the task's kernels are
// timed together in --rounds rounds (bench/common/interleaved_timing.h), each kernel for about
// --round-ms per round, at the thread count of the records' target. The kernels of one task
// thus share every slow stretch of the machine, which a spread across seeds then leaves out.
// A kernel's place in its task matters too (the first kernels built of a large dense task run
// up to 1.3x slower than the last), so each task's kernels are built and timed in an order
// shuffled with --seed: otherwise the place would follow the file's order of runs, and with it
// their seeds. Several passes with different seeds, each in its own process, and the median
// of their times (bench/bted/retimed_runs.py) leave such states out.
// --shard K/N keeps the tasks whose index (in order of first appearance) is K modulo N, so
// that N processes pinned to their own cores split the work.
//
// Prints one JSON line per record: its run (run_uuid, run_tuner, run_seed, run_command), task
// and configuration, the time it was recorded with (tuned_ms), the median per-call time over
// the rounds (retimed_ms, null when it could not be timed), every round's time, and a status
// ("ok", "build error", "run error", "wrong", "bad record"). Malformed input gives one line on
// stderr and exit status 2.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "common/checked_kernel.h"
#include "common/interleaved_timing.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/stats.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

namespace tessel {
namespace {

struct Options {
  std::string records;
  int rounds = 15;
  double round_ms = 20;
  uint64_t seed = 1;
  std::string shard = "0/1";
};

struct Shard {
  int index = 0;
  int count = 1;
};

Shard ParseShard(const std::string& text) {
  const size_t slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      size_t used = 0;
      Shard shard{std::stoi(text.substr(0, slash), &used), std::stoi(text.substr(slash + 1))};
      if (used == slash && shard.count >= 1 && shard.index >= 0 && shard.index < shard.count)
        return shard;
    }
  } catch (const std::logic_error&) {
  }
  throw ConfigError("--shard " + text + " is not K/N with 0 <= K < N (for example 0/2)");
}

// One record to time again, and what became of it.
struct Entry {
  nlohmann::json record;
  std::string status = "ok";
  std::vector<double> rounds_ms;  // empty when it could not be timed
};

struct Task {
  std::string workload;
  std::string template_name;
  int template_version = 0;
  std::vector<Entry> entries;
};

int TargetThreads(const std::string& target, int line) {
  const nlohmann::json parsed = nlohmann::json::parse(target, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("threads") || !parsed["threads"].is_number_integer())
    throw ConfigError("line " + std::to_string(line) + " has a target without a thread count");
  return parsed["threads"].get<int>();
}

// The tasks of the file in order of first appearance; every record must be for one thread
// count, which is returned in `threads`.
std::vector<Task> LoadTasks(const std::string& path, int& threads) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read " + path + ": no such file");
  std::vector<Task> tasks;
  std::map<std::string, size_t> index;  // task key -> position in `tasks`
  threads = 0;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json record = nlohmann::json::parse(text, nullptr, false);
    // Exports of schema 3 name the task generically; this program reads the schema-2 names.
    if (record.is_object() && record.contains("instance")) {
      record["workload"] = record["instance"];
      record["template"] = record.value("evaluator", nlohmann::json());
      record["template_version"] = record.value("evaluator_version", nlohmann::json());
      record["time_ms"] = record.value("value", nlohmann::json());
    }
    const char* fields[] = {"workload", "template", "template_version", "target", "config"};
    bool complete = record.is_object();
    for (const char* field : fields) complete = complete && record.contains(field);
    if (!complete || !record["template_version"].is_number_integer())
      throw ConfigError(path + " line " + std::to_string(line) +
                        " is not a tessel export record; give it `tessel export` JSON lines");
    const int record_threads = TargetThreads(record["target"].get<std::string>(), line);
    if (threads != 0 && record_threads != threads)
      throw ConfigError(path + " mixes thread counts (" + std::to_string(threads) + " and " +
                        std::to_string(record_threads) + "); give it one thread count's records");
    threads = record_threads;
    const std::string key = record["workload"].get<std::string>() + "|" +
                            record["template"].get<std::string>() + "|" +
                            std::to_string(record["template_version"].get<int>());
    auto [it, added] = index.try_emplace(key, tasks.size());
    if (added)
      tasks.push_back({record["workload"], record["template"], record["template_version"], {}});
    tasks[it->second].entries.push_back({std::move(record), "ok", {}});
  }
  if (tasks.empty()) throw ConfigError(path + " holds no records");
  return tasks;
}

// Builds every entry's kernel, in the order `rng` shuffles them, and times those that build
// and agree with the reference.
void RetimeTask(Task& task, const Options& options, Rng& rng) {
  const std::unique_ptr<OperatorTemplate> tmpl =
      MakeOperatorTemplate(ParseWorkloadSpec(task.workload));
  if (tmpl->name() != task.template_name || tmpl->version() != task.template_version) {
    for (Entry& entry : task.entries) entry.status = "bad record";
    std::cerr << task.workload << ": the records are for " << task.template_name << " v"
              << task.template_version << ", this build has " << tmpl->name() << " v"
              << tmpl->version() << "\n";
    return;
  }
  Rng data_rng(kDataSeed);
  const OperatorData data = tmpl->RandomData(data_rng);
  const std::vector<float> reference = tmpl->Reference(data);

  std::vector<std::unique_ptr<Kernel>> kernels;
  std::vector<Contender> contenders;
  std::vector<Entry*> timed;  // the entry of each contender
  std::vector<size_t> order(task.entries.size());
  std::iota(order.begin(), order.end(), 0);
  rng.Shuffle(order);
  for (size_t position : order) {
    Entry& entry = task.entries[position];
    CheckedKernel checked =
        BuildCheckedKernel(*tmpl, entry.record["config"].get<std::string>(), data, reference);
    if (!checked.kernel) {
      entry.status = checked.failure;
      if (!checked.message.empty())
        std::cerr << task.workload << ": " << checked.failure << ": " << checked.message << "\n";
      continue;
    }
    Kernel* raw = checked.kernel.get();
    kernels.push_back(std::move(checked.kernel));
    contenders.push_back({[raw] { raw->Run(); }, 1, {}});
    timed.push_back(&entry);
  }
  TimeInterleaved(contenders, options.rounds, options.round_ms);
  for (size_t i = 0; i < contenders.size(); ++i) timed[i]->rounds_ms = contenders[i].per_call_ms;
}

void PrintTask(const Task& task) {
  for (const Entry& entry : task.entries) {
    const nlohmann::json& r = entry.record;
    nlohmann::json out = {
        {"workload", task.workload},
        {"template", task.template_name},
        {"template_version", task.template_version},
        {"target", r["target"]},
        {"config", r["config"]},
        {"status", entry.status},
        {"tuned_ms", r.value("time_ms", nlohmann::json())},
        {"retimed_ms",
         entry.rounds_ms.empty() ? nlohmann::json() : nlohmann::json(Median(entry.rounds_ms))},
        {"rounds_ms", entry.rounds_ms}};
    for (const char* field : {"run_uuid", "run_tuner", "run_seed", "run_command"})
      out[field] = r.value(field, nlohmann::json());
    std::cout << out.dump() << "\n";
  }
  std::cout.flush();
}

int Main(int argc, char** argv) {
  Options options;
  CLI::App app{"Times the best kernels of tuning runs again, task by task, interleaved."};
  app.add_option("records", options.records, "tessel export JSON lines")->required();
  app.add_option("--rounds", options.rounds, "interleaved timing rounds")
      ->check(CLI::Range(1, 1000));
  app.add_option("--round-ms", options.round_ms, "milliseconds per kernel per round")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "seeds the order of each task's kernels");
  app.add_option("--shard", options.shard, "K/N: time only the tasks whose index is K mod N");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "retime_runs: " << error.what() << "\n";
    return 2;
  }
  const Shard shard = ParseShard(options.shard);
  int threads = 0;
  std::vector<Task> tasks = LoadTasks(options.records, threads);
  // Before any kernel runs: Halide reads HL_NUM_THREADS when its thread pool starts.
  setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (static_cast<int>(i % static_cast<size_t>(shard.count)) != shard.index) continue;
    const auto start = BenchClock::now();
    Rng order_rng = Rng(options.seed).Fork("order", i);
    RetimeTask(tasks[i], options, order_rng);
    PrintTask(tasks[i]);
    std::cerr << tasks[i].workload << ": " << tasks[i].entries.size() << " records, "
              << static_cast<int>(MsSince(start) / 1e3) << " s\n";
  }
  return 0;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& error) {
    std::cerr << "retime_runs: " << error.what() << "\n";
    return 2;
  }
}
