// A small records database for the report's tests, written through RecordStore's public API in
// a fresh temporary directory: what each test then reads back is known exactly.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "records/record_store.h"

namespace tessel::report_testing {

namespace fs = std::filesystem;

inline MeasurementRecord Record(int64_t task, int64_t run, const std::string& config, double value,
                                const std::string& timestamp, Metrics metrics = {},
                                EvalStatus status = EvalStatus::kOk) {
  MeasurementRecord record;
  record.task_id = task;
  record.run_id = run;
  record.config = config;
  record.result.status = status;
  record.result.value = value;
  record.result.metrics = std::move(metrics);
  if (status != EvalStatus::kOk && status != EvalStatus::kInfeasible)
    record.result.error = "it failed";
  record.timestamp = timestamp;
  return record;
}

class ReportDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device device;
    dir_ = fs::temp_directory_path() /
           ("tessel_report_" + std::to_string(getpid()) + "_" + std::to_string(device()));
    fs::create_directories(dir_);
    path_ = (dir_ / "records.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Task 1, "time" in ms minimised: run 1 (random seed 1) measures 5, 3, 4, 3, a compile error,
  // 2 and 2.5, the last two in one batch (one timestamp); run 2 (autotvm seed 2) a timeout, 4
  // and 1. Their metrics: gflops = 10 / time (a function of it), energy and accuracy (not),
  // and a constant "macs". Task 2, "throughput" maximised, with an instance and a run command
  // that need escaping, one ok evaluation, one infeasible, one crash. Task 3 has none.
  void WriteSmallDb() {
    RecordStore store(path_);
    const int64_t time_task =
        store.EnsureTask({"schedule", "dense:in=4,out=4", R"({"cpu":"test"})", "dense_cpu", 1},
                         {"time", "ms", true});
    const int64_t throughput_task = store.EnsureTask(
        {"noc", "<b>mesh</b> & \"x\" 'y'", "{}", "booksim<>", 1}, {"throughput", "flits", false});
    store.EnsureTask({"quant", "empty", "{}", "q", 1}, {"energy", "x", true});
    const int64_t first = store.BeginRun(
        {"random", 1, "tessel tune --tuner random", R"({"cpu":"Test CPU","cpus":4})"});
    const int64_t second = store.BeginRun({"autotvm", 2, "tessel tune <script>alert(1)</script>"});
    auto metrics = [](double time, double energy, double accuracy) {
      return Metrics{
          {"gflops", 10 / time}, {"energy", energy}, {"accuracy", accuracy}, {"macs", 64}};
    };
    const std::string t0 = "2026-01-02T03:04:0";
    store.Append({Record(time_task, first, "a", 5, t0 + "0.000Z", metrics(5, 1, 0.5)),
                  Record(time_task, first, "b", 3, t0 + "1.000Z", metrics(3, 4, 0.6)),
                  Record(time_task, first, "c", 4, t0 + "2.000Z", metrics(4, 2, 0.7)),
                  Record(time_task, first, "b", 3, t0 + "3.000Z", metrics(3, 4, 0.6)),
                  Record(time_task, first, "d", 0, t0 + "4.000Z", {}, EvalStatus::kCompileError),
                  Record(time_task, first, "e", 2, t0 + "5.500Z", metrics(2, 8, 0.8)),
                  Record(time_task, first, "f", 2.5, t0 + "5.500Z", metrics(2.5, 3, 0.9))});
    store.Append({Record(time_task, second, "g", 0, t0 + "0.000Z", {}, EvalStatus::kTimeout),
                  Record(time_task, second, "h", 4, t0 + "1.000Z", metrics(4, 5, 0.4)),
                  Record(time_task, second, "i", 1, t0 + "9.000Z", metrics(1, 9, 0.3))});
    store.Append(
        {Record(throughput_task, second, "<x>", 7, t0 + "0.000Z"),
         Record(throughput_task, second, "y", 9, t0 + "1.000Z", {}, EvalStatus::kInfeasible),
         Record(throughput_task, second, "z", 0, t0 + "2.000Z", {}, EvalStatus::kCrash)});
    store.RecordRunTimes({first, time_task, 7, 1.5, 2.5, 0.25, 0.75, 5});
  }

  fs::path dir_;
  std::string path_;
};

// How often `what` occurs in `text`.
inline size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// The text of one task's section of a rendered report.
inline std::string Section(const std::string& html, int64_t task) {
  const size_t begin = html.find("<section id=\"task-" + std::to_string(task) + "\">");
  if (begin == std::string::npos) return "";
  return html.substr(begin, html.find("</section>", begin) - begin);
}

}  // namespace tessel::report_testing
