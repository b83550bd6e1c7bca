#include "report/report_data.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "core/host.h"
#include "report/pareto.h"

namespace tessel {
namespace {

// Problems in the order the report shows them: the project's pipeline, schedules first.
int ProblemRank(const std::string& problem) {
  static const std::vector<std::string> order = {"schedule", "replay", "accel", "quant", "noc"};
  const auto it = std::find(order.begin(), order.end(), problem);
  return static_cast<int>(it - order.begin());
}

// The CPU model and its cores: "AMD EPYC, 2 cores"; "unknown" for a run that lacks it.
std::string HostShort(const HostDescription& host) {
  if (host.cpu.empty()) return "unknown";
  if (host.cpus <= 0) return host.cpu;
  return host.cpu + ", " + std::to_string(host.cpus) + (host.cpus == 1 ? " core" : " cores");
}

std::vector<ReportRun> ReadRuns(const RecordStore& store) {
  std::vector<ReportRun> runs;
  std::map<std::string, int> uses;  // of each label
  for (StoredRun& run : store.Runs()) {
    ReportRun entry;
    entry.label = run.info.tuner + " seed " + std::to_string(run.info.seed);
    ++uses[entry.label];
    const HostDescription host = HostFromJson(run.info.host);
    entry.host_short = HostShort(host);
    entry.host_detail = HostSummary(host);
    entry.run = std::move(run);
    runs.push_back(std::move(entry));
  }
  // Series of one name share a colour; two runs must not.
  for (ReportRun& run : runs)
    if (uses[run.label] > 1) run.label += " (run " + std::to_string(run.run.id) + ")";
  return runs;
}

std::vector<ReportNetworkRun> ReadNetworkRuns(const RecordStore& store) {
  std::vector<ReportNetworkRun> networks;
  // (network, threads, machine) -> the newest run's position; ids grow with time.
  std::map<std::tuple<std::string, int, std::string>, size_t> newest;
  for (NetworkRunRecord& run : store.NetworkRuns()) {
    ReportNetworkRun entry;
    HostDescription host = HostFromJson(run.host);
    entry.host_short = HostShort(host);
    entry.host_detail = HostSummary(host);
    host.peak = {};  // the same machine whatever its measured peak
    newest[{run.network, run.threads, HostToJson(host)}] = networks.size();
    entry.run = std::move(run);
    networks.push_back(std::move(entry));
  }
  for (const auto& [key, position] : newest) networks[position].newest = true;
  return networks;
}

// Appends (x, y) to a step curve, replacing its last point when x is the same (several
// measurements of one batch share a timestamp; the batch's best is what counts).
void AddStep(std::vector<std::pair<double, double>>& curve, double x, double y) {
  if (!curve.empty() && curve.back().first == x) {
    curve.back().second = y;
  } else {
    curve.emplace_back(x, y);
  }
}

std::vector<BestSoFarCurve> BestSoFarCurves(const std::vector<MeasurementRecord>& history,
                                            const ObjectiveInfo& objective,
                                            const std::map<int64_t, std::string>& labels) {
  struct State {
    BestSoFarCurve curve;
    double best = std::nan("");
    std::optional<double> start, last_time;
  };
  std::map<int64_t, State> by_run;
  for (const MeasurementRecord& record : history) {
    State& state = by_run[record.run_id];
    const int64_t index = ++state.curve.measurements;
    const std::optional<double> at = ParseTimestamp(record.timestamp);
    if (at && !state.start) state.start = at;
    if (at) state.last_time = *at - *state.start;
    const double value = record.result.value;
    if (record.result.ok() && std::isfinite(value) && IsBetter(objective, value, state.best)) {
      state.best = value;
      AddStep(state.curve.by_index, static_cast<double>(index), value);
      if (at) AddStep(state.curve.by_time, *state.last_time, value);
    }
  }
  std::vector<BestSoFarCurve> curves;
  for (auto& [run_id, state] : by_run) {
    if (std::isnan(state.best)) continue;
    BestSoFarCurve& curve = state.curve;
    curve.run_id = run_id;
    const auto label = labels.find(run_id);
    curve.label = label == labels.end() ? "run " + std::to_string(run_id) : label->second;
    // The last measurement closes the curve: how long the run went on without improving.
    AddStep(curve.by_index, static_cast<double>(curve.measurements), state.best);
    if (state.last_time) AddStep(curve.by_time, *state.last_time, state.best);
    curves.push_back(std::move(curve));
  }
  return curves;
}

// Whether `v` is a monotone function of `u` over the indices where both are finite: sorted by u,
// v never turns, and equal u have equal v. Such a metric adds nothing to a scatter against u
// (GFLOP/s against time is a curve), and its Pareto front is trivial.
bool IsMonotoneFunctionOf(const std::vector<double>& v, const std::vector<double>& u) {
  std::vector<size_t> order;
  for (size_t i = 0; i < v.size(); ++i)
    if (std::isfinite(v[i]) && std::isfinite(u[i])) order.push_back(i);
  if (order.size() < 2) return true;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return u[a] != u[b] ? u[a] < u[b] : v[a] < v[b]; });
  // Values computed from one another carry rounding; a relative 1e-9 is far below any real
  // difference between measurements.
  auto same = [](double a, double b) {
    return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b));
  };
  bool rises = false, falls = false;
  for (size_t k = 1; k < order.size(); ++k) {
    const double du = u[order[k]] - u[order[k - 1]], a = v[order[k - 1]], b = v[order[k]];
    if (same(a, b)) continue;
    if (du == 0 || same(u[order[k]], u[order[k - 1]])) return false;  // one u, two values
    (b > a ? rises : falls) = true;
    if (rises && falls) return false;
  }
  return true;
}

// Picks the metrics to plot against the objective and builds their scatters. Candidates are the
// metrics finite in at least half the successful evaluations and not constant, by name; those
// named with a dot are, by the problems' convention, parts of another (accel's per-layer
// "area.3" of "area") and are candidates only when no other metric is. A metric that is the
// objective, or a monotone function of it or of one already chosen, is left out, named in the
// report.
void AddScatters(const std::vector<MeasurementRecord>& history, const ReportLimits& limits,
                 ReportTask& task) {
  std::vector<const MeasurementRecord*> ok, infeasible;
  for (const MeasurementRecord& record : history) {
    if (!std::isfinite(record.result.value)) continue;
    if (record.result.ok()) ok.push_back(&record);
    if (record.result.status == EvalStatus::kInfeasible) infeasible.push_back(&record);
  }
  std::map<std::string, int64_t> present;
  for (const MeasurementRecord* record : ok)
    for (const auto& [name, value] : record->result.metrics)
      if (std::isfinite(value)) ++present[name];
  std::vector<std::string> candidates, parts;
  for (const auto& [name, count] : present)
    if (2 * count >= std::ssize(ok))
      (name.find('.') == std::string::npos ? candidates : parts).push_back(name);
  if (candidates.empty()) {
    candidates = std::move(parts);
  } else {
    task.metric_parts_left_out = std::ssize(parts);
  }

  auto column = [](const std::vector<const MeasurementRecord*>& records, const std::string& name) {
    std::vector<double> values;
    for (const MeasurementRecord* record : records) {
      const auto it = record->result.metrics.find(name);
      values.push_back(it == record->result.metrics.end() ? std::nan("") : it->second);
    }
    return values;
  };
  std::vector<double> objective;
  for (const MeasurementRecord* record : ok) objective.push_back(record->result.value);
  std::vector<std::pair<std::string, std::vector<double>>> chosen;
  for (const std::string& name : candidates) {
    std::vector<double> values = column(ok, name);
    double low = INFINITY, high = -INFINITY;
    for (double v : values)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    if (low == high) {
      task.metrics_left_out.push_back(name + ": the same in every evaluation");
      continue;
    }
    if (name == task.objective.name) {
      task.metrics_left_out.push_back(name + ": the objective");
      continue;
    }
    // Past the limit the costlier checks are skipped: with hundreds of metrics of parts and
    // tens of thousands of evaluations they would take seconds to say nothing shown.
    if (std::ssize(chosen) == limits.scatters) {
      ++task.metrics_beyond_limit;
      continue;
    }
    if (IsMonotoneFunctionOf(values, objective)) {
      task.metrics_left_out.push_back(name + ": a monotone function of " + task.objective.name);
      continue;
    }
    const auto twin = std::find_if(chosen.begin(), chosen.end(), [&](const auto& other) {
      return IsMonotoneFunctionOf(values, other.second);
    });
    if (twin != chosen.end()) {
      task.metrics_left_out.push_back(name + ": a monotone function of " + twin->first);
      continue;
    }
    chosen.emplace_back(name, std::move(values));
  }

  for (const auto& [name, values] : chosen) {
    MetricScatter scatter;
    scatter.metric = name;
    scatter.metric_maximised = MetricIsMaximised(name);
    auto distinct = [](const std::vector<double>& x,
                       const std::vector<const MeasurementRecord*>& y) {
      std::vector<std::pair<double, double>> points;
      std::set<std::pair<double, double>> seen;
      for (size_t i = 0; i < x.size(); ++i) {
        const std::pair<double, double> point{x[i], y[i]->result.value};
        if (std::isfinite(point.first) && seen.insert(point).second) points.push_back(point);
      }
      return points;
    };
    scatter.ok = distinct(values, ok);
    scatter.infeasible = distinct(column(infeasible, name), infeasible);
    for (size_t i : ParetoFront(scatter.ok, !scatter.metric_maximised, task.objective.minimise))
      scatter.front.push_back(scatter.ok[i]);
    task.scatters.push_back(std::move(scatter));
  }
}

ReportTask ReadTask(const RecordStore& store, int64_t id, const ProblemKey& key,
                    const std::map<int64_t, std::string>& labels, const ReportLimits& limits,
                    const std::vector<RunTimes>& all_times,
                    std::map<int64_t, int64_t>& run_measurements) {
  ReportTask task;
  task.id = id;
  task.key = key;
  task.objective = store.Objective(id);
  const std::vector<MeasurementRecord> history = store.History(id);
  task.measurements = std::ssize(history);
  std::map<std::string, int64_t> statuses;
  std::vector<double> values;
  std::set<int64_t> runs;
  for (const MeasurementRecord& record : history) {
    ++run_measurements[record.run_id];
    runs.insert(record.run_id);
    ++statuses[std::string(EvalStatusName(record.result.status))];
    if (!record.result.ok() || !std::isfinite(record.result.value)) continue;
    ++task.successes;
    values.push_back(record.result.value);
    if (IsBetter(task.objective, record.result.value, task.best)) {
      task.best = record.result.value;
      task.best_config = record.config;
    }
  }
  task.runs = std::ssize(runs);
  const std::string ok_name(EvalStatusName(EvalStatus::kOk));
  if (statuses.contains(ok_name)) task.statuses.emplace_back(ok_name, statuses[ok_name]);
  for (const auto& [name, count] : statuses)
    if (name != ok_name) task.statuses.emplace_back(name, count);
  task.curves = BestSoFarCurves(history, task.objective, labels);
  task.histogram = MakeHistogram(values, limits.histogram_bins);
  for (const RunTimes& times : all_times)
    if (times.task_id == id) task.times.push_back(times);
  AddScatters(history, limits, task);
  task.tuner_views = ReadTunerViews(store, id, labels);
  return task;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<double> ParseTimestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  int fields[6];
  const size_t starts[6] = {0, 5, 8, 11, 14, 17}, lengths[6] = {4, 2, 2, 2, 2, 2};
  const char separators[6] = {'-', '-', 'T', ':', ':', 0};
  for (int i = 0; i < 6; ++i) {
    const char* begin = text.data() + starts[i];
    const auto [end, error] = std::from_chars(begin, begin + lengths[i], fields[i]);
    if (error != std::errc() || end != begin + lengths[i]) return std::nullopt;
    if (separators[i] && text[starts[i] + lengths[i]] != separators[i]) return std::nullopt;
  }
  double fraction = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2) return std::nullopt;
    double scale = 0.1;
    for (char c : rest.substr(1)) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      fraction += (c - '0') * scale;
      scale /= 10;
    }
  }
  if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 ||
      fields[4] > 59 || fields[5] > 60) {
    return std::nullopt;
  }
  const int64_t days = DaysFromCivil(fields[0], fields[1], fields[2]);
  return static_cast<double>(days * 86400 + fields[3] * 3600 + fields[4] * 60 + fields[5]) +
         fraction;
}

bool MetricIsMaximised(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* cost : {"loss", "error"})
    if (lower.find(cost) != std::string::npos) return false;
  for (const char* gain : {"accuracy", "speedup", "throughput", "gflops"})
    if (lower.find(gain) != std::string::npos) return true;
  return false;
}

Histogram MakeHistogram(const std::vector<double>& values, int max_bins) {
  Histogram histogram;
  std::vector<double> finite;
  for (double v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return histogram;
  const auto [low, high] = std::minmax_element(finite.begin(), finite.end());
  double lo = *low, hi = *high;
  histogram.log = lo > 0 && hi / lo > 20;
  if (lo == hi) {  // one bin around the one value
    const double half = lo != 0 ? std::abs(lo) * 0.05 : 0.5;
    histogram.edges = {lo - half, hi + half};
    histogram.counts = {std::ssize(finite)};
    return histogram;
  }
  const int bins =
      std::clamp(static_cast<int>(std::ceil(std::sqrt(static_cast<double>(finite.size())))), 5,
                 std::max(5, max_bins));
  auto scale = [&](double v) { return histogram.log ? std::log10(v) : v; };
  const double a = scale(lo), b = scale(hi);
  for (int i = 0; i <= bins; ++i) {
    const double t = a + (b - a) * i / bins;
    histogram.edges.push_back(histogram.log ? std::pow(10.0, t) : t);
  }
  histogram.edges.front() = lo, histogram.edges.back() = hi;  // exact, whatever the rounding
  histogram.counts.assign(bins, 0);
  for (double v : finite) {
    const int bin = static_cast<int>((scale(v) - a) / (b - a) * bins);
    ++histogram.counts[std::clamp(bin, 0, bins - 1)];
  }
  return histogram;
}

ReportData ReadReport(const RecordStore& store, const ReportLimits& limits) {
  ReportData data;
  data.runs = ReadRuns(store);
  data.networks = ReadNetworkRuns(store);
  std::map<int64_t, std::string> labels;
  for (const ReportRun& run : data.runs) labels[run.run.id] = run.label;
  std::vector<std::pair<int64_t, ProblemKey>> tasks = store.Tasks();
  std::stable_sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) {
    const int ra = ProblemRank(a.second.problem), rb = ProblemRank(b.second.problem);
    if (ra != rb) return ra < rb;
    return a.second.problem < b.second.problem;  // problems the list lacks, by name
  });
  const std::vector<RunTimes> all_times = store.AllRunTimes();
  std::map<int64_t, int64_t> run_measurements;
  for (const auto& [id, key] : tasks) {
    data.tasks.push_back(ReadTask(store, id, key, labels, limits, all_times, run_measurements));
    data.measurements += data.tasks.back().measurements;
  }
  for (ReportRun& run : data.runs) run.measurements = run_measurements[run.run.id];
  return data;
}

}  // namespace tessel
