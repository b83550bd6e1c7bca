// What `tessel report` shows, read from a records database into plain values: per task, each
// run's best-so-far curve, the distribution of the successful values, the evaluations by status,
// the runs' time breakdowns, the objective against the task's other metrics with their
// Pareto front, and what the runs' tuners logged (tuner_views.h). html_report.h draws it;
// nothing here knows HTML.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/evaluation.h"
#include "engine/problem_key.h"
#include "records/record_store.h"
#include "report/tuner_views.h"

namespace tessel {

struct ReportRun {
  StoredRun run;
  std::string label;         // "autotvm seed 1", with " (run N)" where two runs share it
  std::string host_short;    // the CPU model and its cores; "unknown" for runs that lack it
  std::string host_detail;   // HostSummary's line
  int64_t measurements = 0;  // on every task
};

// One run's best successful value on one task as it went, where it changed and at the run's last
// measurement of the task: a step function, however long the run.
struct BestSoFarCurve {
  int64_t run_id = 0;
  std::string label;         // the run's
  int64_t measurements = 0;  // the run's on the task, failures included
  // (the measurement's number in the run on this task, from 1; the best so far)
  std::vector<std::pair<double, double>> by_index;
  // (seconds since the run's first measurement of the task; the best so far). Timestamps are
  // taken once per batch, so this has the batches' resolution.
  std::vector<std::pair<double, double>> by_time;
};

struct Histogram {
  std::vector<double> edges;    // bins + 1 of them, increasing
  std::vector<int64_t> counts;  // per bin
  bool log = false;             // bins of equal width in log10 (values spanning decades)
};

// The objective against one other metric, over the evaluations that have both.
struct MetricScatter {
  std::string metric;
  bool metric_maximised = false;  // MetricIsMaximised
  // (metric, objective), each distinct pair once.
  std::vector<std::pair<double, double>> ok;
  std::vector<std::pair<double, double>> infeasible;
  std::vector<std::pair<double, double>> front;  // of `ok`, by increasing metric
};

struct ReportTask {
  int64_t id = 0;
  ProblemKey key;
  ObjectiveInfo objective;
  int64_t runs = 0;  // that measured it
  int64_t measurements = 0;
  int64_t successes = 0;
  double best = std::nan("");  // NaN without a success
  std::string best_config;
  std::vector<BestSoFarCurve> curves;  // of the runs with a success on the task, by run id
  Histogram histogram;                 // of the successful values; no bins without one
  // Evaluations by status name: ok first, then the others by name.
  std::vector<std::pair<std::string, int64_t>> statuses;
  std::vector<RunTimes> times;  // the runs' breakdowns on this task, by run id
  std::vector<MetricScatter> scatters;
  // Metrics of most successful evaluations that are not plotted, and why ("gflops: a monotone
  // function of time"); how many more were left out for room; and how many metrics of parts
  // (named with a dot, "area.3") were left out because metrics of the whole exist.
  std::vector<std::string> metrics_left_out;
  int64_t metrics_beyond_limit = 0;
  int64_t metric_parts_left_out = 0;
  // What the runs' tuners logged on the task (tuner_views.h), by run id; empty for databases
  // before schema 5 and for tuners that log nothing.
  std::vector<RunTunerViews> tuner_views;
};

// A whole network timed by `tessel run`.
struct ReportNetworkRun {
  NetworkRunRecord run;
  std::string host_short;   // as ReportRun's
  std::string host_detail;  // HostSummary's line
  // The newest run of its network at its thread count on its machine: the one whose layers the
  // report lists (older ones are rows of the table only).
  bool newest = false;
};

struct ReportData {
  std::vector<ReportRun> runs;             // by id
  std::vector<ReportNetworkRun> networks;  // by id; empty before schema 6
  // Grouped by problem (schedule, replay, accel, quant, noc, then others by name), by id within.
  std::vector<ReportTask> tasks;
  int64_t measurements = 0;
};

struct ReportLimits {
  int histogram_bins = 40;
  int scatters = 6;  // per task
};

ReportData ReadReport(const RecordStore& store, const ReportLimits& limits = {});

// About sqrt(n) bins (5 to max_bins) from the smallest value to the largest, spaced in log10 when
// all are positive and span more than a factor of 20. Non-finite values are left out.
Histogram MakeHistogram(const std::vector<double>& values, int max_bins);

// Seconds since the Unix epoch of an ISO 8601 UTC timestamp as the store writes them
// ("2026-01-02T03:04:05.678Z", fraction optional); nullopt when it is not one.
std::optional<double> ParseTimestamp(std::string_view text);

// Whether higher values of a metric are the better ones, from its name: accuracy, speedup,
// throughput and GFLOP/s are; anything else (and any loss or error) is taken as a cost.
bool MetricIsMaximised(std::string_view name);

}  // namespace tessel
