#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <sstream>

#include "core/svg_chart.h"
#include "report/network_view.h"
#include "report/tuner_views.h"

namespace tessel {
namespace {

constexpr const char* kStyle =
    R"(body{font-family:sans-serif;font-size:14px;margin:1em 2em;color:#222}
h1{font-size:1.6em}h2{border-bottom:2px solid #444;margin-top:2em}
h3{margin-bottom:.3em}section{border-top:1px solid #ccc;padding-top:.5em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:2px 6px;
text-align:left;vertical-align:top}th{background:#f0f0f0}td.n{text-align:right;
font-variant-numeric:tabular-nums}code{font-size:12px;word-break:break-all}
.key{color:#444;margin:.2em 0}.note{color:#555;font-size:13px}
.figs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.tables{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.bar{display:flex;width:160px;height:10px;background:#eee}.bar span{display:block;height:10px}
.compile{background:#0072B2}.run{background:#D55E00}.fit{background:#009E73}
.search{background:#CC79A7}.swatch{display:inline-block;width:10px;height:10px;margin:0 3px}
)";

std::string Number(double value, int digits = 6) {
  if (!std::isfinite(value)) return "&mdash;";
  char text[40];
  std::snprintf(text, sizeof(text), "%.*g", digits, value);
  return text;
}

// "1 run", "3 runs".
std::string Count(int64_t count, const std::string& noun) {
  return std::to_string(count) + ' ' + noun + (count == 1 ? "" : "s");
}

std::string Seconds(double value) { return FixedOrDash(value, 1); }

// The objective with its unit and direction: "time (ms), lower is better".
std::string ObjectiveText(const ObjectiveInfo& objective) {
  return objective.name + (objective.unit.empty() ? "" : " (" + objective.unit + ")") + ", " +
         (objective.minimise ? "lower" : "higher") + " is better";
}

std::string AxisLabel(const ObjectiveInfo& objective) {
  return objective.name + (objective.unit.empty() ? "" : " (" + objective.unit + ")");
}

// A logarithmic axis where the values are positive and span a factor of `ratio` or more: a
// best-so-far curve that starts 50 times above its end shows its last gains on one.
AxisScale ScaleFor(const std::vector<double>& values, double ratio) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  return lo > 0 && hi / lo >= ratio ? AxisScale::kLog : AxisScale::kLinear;
}

void BestSoFarChart(std::ostringstream& html, const ReportTask& task) {
  Chart chart;
  chart.y_label = AxisLabel(task.objective);
  chart.columns = 2;
  ChartPanel by_index{"by measurement", {}, {}, {}};
  by_index.x_label = "measurement of the run";
  ChartPanel by_time{"by wall time", {}, {}, {}};
  by_time.x_label = "seconds since the run's first";
  std::vector<double> values;
  for (const BestSoFarCurve& curve : task.curves) {
    by_index.series.push_back({curve.label, curve.by_index, SeriesStyle::kStep});
    by_time.series.push_back({curve.label, curve.by_time, SeriesStyle::kStep});
    for (const auto& point : curve.by_index) values.push_back(point.second);
  }
  by_index.y_scale = by_time.y_scale = ScaleFor(values, 10);
  chart.panels = {by_index, by_time};
  html << "<figure>" << RenderSvg(chart)
       << "<figcaption class=\"note\">Best so far of each run, against its measurements of this "
          "task and against seconds since its first one (timestamps are per batch); marks are "
          "improvements.</figcaption></figure>\n";
}

void HistogramChart(std::ostringstream& html, const ReportTask& task) {
  const Histogram& histogram = task.histogram;
  Chart chart;
  chart.columns = 1;
  ChartPanel panel{"distribution of successful values", {}, {}, {}};
  panel.x_label = AxisLabel(task.objective);
  panel.y_label = "evaluations";
  panel.x_scale = histogram.log ? AxisScale::kLog : AxisScale::kLinear;
  ChartSeries bars{"successful evaluations", {}, SeriesStyle::kBars};
  for (size_t i = 0; i < histogram.counts.size(); ++i)
    bars.points.emplace_back(histogram.edges[i], static_cast<double>(histogram.counts[i]));
  bars.points.emplace_back(histogram.edges.back(), 0);
  panel.series.push_back(std::move(bars));
  chart.panels = {panel};
  html << "<figure>" << RenderSvg(chart) << "<figcaption class=\"note\">"
       << Count(std::ssize(histogram.counts), "bin")
       << (histogram.log ? ", spaced logarithmically" : "") << ".</figcaption></figure>\n";
}

void ScatterChart(std::ostringstream& html, const ReportTask& task) {
  Chart chart;
  chart.y_label = AxisLabel(task.objective);
  chart.columns = 3;
  for (const MetricScatter& scatter : task.scatters) {
    ChartPanel panel{scatter.metric, {}, {}, {}};
    panel.x_label =
        scatter.metric + (scatter.metric_maximised ? ", higher is better" : ", lower is better");
    std::vector<double> xs, ys;
    for (const auto* points : {&scatter.ok, &scatter.infeasible})
      for (const auto& [x, y] : *points) xs.push_back(x), ys.push_back(y);
    panel.x_scale = ScaleFor(xs, 100);
    panel.y_scale = ScaleFor(ys, 100);
    panel.series.push_back({"ok", scatter.ok, SeriesStyle::kPoints});
    if (!scatter.infeasible.empty())
      panel.series.push_back({"infeasible", scatter.infeasible, SeriesStyle::kPoints});
    panel.series.push_back({"Pareto front of ok", scatter.front, SeriesStyle::kLine});
    chart.panels.push_back(std::move(panel));
  }
  html << "<figure>" << RenderSvg(chart)
       << "<figcaption class=\"note\">The objective against the task's other metrics, one mark "
          "per distinct pair; the front joins the successful evaluations no other beats in both "
          "(a metric's direction is taken from its name).</figcaption></figure>\n";
}

void StatusTable(std::ostringstream& html, const ReportTask& task) {
  html << "<table><tr><th>status</th><th>evaluations</th></tr>\n";
  for (const auto& [status, count] : task.statuses)
    html << "<tr><td>" << EscapeMarkup(status) << "</td><td class=\"n\">" << count
         << "</td></tr>\n";
  html << "</table>\n";
}

void TimesTable(std::ostringstream& html, const ReportTask& task,
                const std::map<int64_t, const ReportRun*>& runs) {
  html << "<table><tr><th>run</th><th>measurements</th><th>compile s</th><th>run s</th>"
          "<th>fit s</th><th>search s</th><th>wall s</th><th>"
          "<span class=\"swatch compile\"></span>compile <span class=\"swatch run\"></span>run "
          "<span class=\"swatch fit\"></span>fit <span class=\"swatch search\"></span>search"
          "</th></tr>\n";
  for (const RunTimes& times : task.times) {
    const auto run = runs.find(times.run_id);
    const std::string label =
        run == runs.end() ? "run " + std::to_string(times.run_id) : run->second->label;
    html << "<tr><td>" << EscapeMarkup(label) << "</td><td class=\"n\">" << times.measurements
         << "</td><td class=\"n\">" << Seconds(times.compile_s) << "</td><td class=\"n\">"
         << Seconds(times.run_s) << "</td><td class=\"n\">" << Seconds(times.fit_s)
         << "</td><td class=\"n\">" << Seconds(times.search_s) << "</td><td class=\"n\">"
         << Seconds(times.wall_s) << "</td><td><div class=\"bar\">";
    // Shares of the wall time; the parts add up to it (search is the rest of the tuner's work).
    if (times.wall_s > 0) {
      const std::pair<const char*, double> parts[] = {{"compile", times.compile_s},
                                                      {"run", times.run_s},
                                                      {"fit", times.fit_s},
                                                      {"search", times.search_s}};
      for (const auto& [name, seconds] : parts) {
        const double share = std::clamp(seconds / times.wall_s, 0.0, 1.0) * 100;
        if (std::isfinite(share) && share >= 0.05) {
          char width[32];
          std::snprintf(width, sizeof(width), "%.1f", share);
          html << "<span class=\"" << name << "\" style=\"width:" << width << "%\"></span>";
        }
      }
    }
    html << "</div></td></tr>\n";
  }
  html << "</table>\n";
}

void TaskSection(std::ostringstream& html, const ReportTask& task,
                 const std::map<int64_t, const ReportRun*>& runs) {
  html << "<section id=\"task-" << task.id << "\">\n<h3>Task " << task.id << ": "
       << EscapeMarkup(task.key.instance) << "</h3>\n<p class=\"key\">problem "
       << EscapeMarkup(task.key.problem) << " &middot; evaluator "
       << EscapeMarkup(task.key.evaluator) << " v" << task.key.evaluator_version
       << " &middot; target <code>" << EscapeMarkup(task.key.target)
       << "</code> &middot; objective " << EscapeMarkup(ObjectiveText(task.objective)) << "</p>\n";
  if (task.measurements == 0) {
    html << "<p class=\"note\">No measurements.</p>\n</section>\n";
    return;
  }
  html << "<p class=\"key\">" << Count(task.measurements, "measurement") << " by "
       << Count(task.runs, "run") << ", " << task.successes << " successful";
  if (task.successes > 0) {
    html << "; best " << Number(task.best) << ' ' << EscapeMarkup(task.objective.unit)
         << " with <code>" << EscapeMarkup(task.best_config) << "</code>";
  }
  html << "</p>\n";
  if (task.successes == 0) {
    html << "<p class=\"note\">No successful evaluation: no best-so-far curve or "
            "distribution.</p>\n";
  } else {
    html << "<div class=\"figs\">\n";
    BestSoFarChart(html, task);
    HistogramChart(html, task);
    html << "</div>\n";
  }
  html << "<div class=\"tables\">\n<div><h4>Evaluations by status</h4>\n";
  StatusTable(html, task);
  html << "</div>\n<div><h4>Where the runs' time went</h4>\n";
  if (task.times.empty()) {
    html << "<p class=\"note\">No time breakdown recorded (runs of <code>tessel eval</code>, or "
            "stopped before the end).</p>\n";
  } else {
    TimesTable(html, task, runs);
  }
  html << "</div>\n</div>\n";
  if (!task.scatters.empty()) {
    html << "<h4>Objective against other metrics</h4>\n";
    ScatterChart(html, task);
  }
  std::vector<std::string> left_out;
  for (const std::string& why : task.metrics_left_out) left_out.push_back(EscapeMarkup(why));
  if (task.metrics_beyond_limit > 0)
    left_out.push_back(Count(task.metrics_beyond_limit, "more metric") + ", for room");
  if (task.metric_parts_left_out > 0) {
    left_out.push_back(Count(task.metric_parts_left_out, "metric") +
                       " of parts (named with a dot, as area.3 is a part of area)");
  }
  if (!left_out.empty()) {
    html << "<p class=\"note\">Metrics not plotted: ";
    for (size_t i = 0; i < left_out.size(); ++i) html << (i ? "; " : "") << left_out[i];
    html << ".</p>\n";
  }
  RenderTunerViews(html, task.tuner_views, AxisLabel(task.objective));
  html << "</section>\n";
}

void SummaryTables(std::ostringstream& html, const ReportData& data) {
  html << "<h2>Tasks</h2>\n<table><tr><th>task</th><th>problem</th><th>instance</th>"
          "<th>evaluator</th><th>objective</th><th>runs</th><th>measurements</th><th>ok</th>"
          "<th>best</th></tr>\n";
  for (const ReportTask& task : data.tasks) {
    html << "<tr><td><a href=\"#task-" << task.id << "\">" << task.id << "</a></td><td>"
         << EscapeMarkup(task.key.problem) << "</td><td><code>" << EscapeMarkup(task.key.instance)
         << "</code></td><td>" << EscapeMarkup(task.key.evaluator) << " v"
         << task.key.evaluator_version << "</td><td>" << EscapeMarkup(ObjectiveText(task.objective))
         << "</td><td class=\"n\">" << task.runs << "</td><td class=\"n\">" << task.measurements
         << "</td><td class=\"n\">" << task.successes << "</td><td class=\"n\">"
         << Number(task.best);
    if (task.successes > 0) html << ' ' << EscapeMarkup(task.objective.unit);
    html << "</td></tr>\n";
  }
  html << "</table>\n<h2>Runs</h2>\n<table><tr><th>run</th><th>tuner</th><th>seed</th>"
          "<th>started (UTC)</th><th>host</th><th>measurements</th><th>command</th></tr>\n";
  for (const ReportRun& run : data.runs) {
    html << "<tr><td>" << run.run.id << "</td><td>" << EscapeMarkup(run.run.info.tuner)
         << "</td><td class=\"n\">" << run.run.info.seed << "</td><td>"
         << EscapeMarkup(run.run.started_at) << "</td><td title=\"" << EscapeMarkup(run.host_detail)
         << "\">" << EscapeMarkup(run.host_short) << "</td><td class=\"n\">" << run.measurements
         << "</td><td><code>" << EscapeMarkup(run.run.info.command) << "</code></td></tr>\n";
  }
  html << "</table>\n";
}

}  // namespace

std::string FixedOrDash(double value, int decimals) {
  if (!std::isfinite(value)) return "&mdash;";
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return text;
}

const char* ReportStyle() { return kStyle; }

std::string RenderReportBody(const ReportData& data, const std::string& source) {
  std::ostringstream html;
  html << "<h1>Tessel records</h1>\n<p>Generated from <code>" << EscapeMarkup(source)
       << "</code>: " << Count(std::ssize(data.tasks), "task") << ", "
       << Count(std::ssize(data.runs), "run") << ", " << Count(data.measurements, "measurement")
       << ".</p>\n";
  if (data.tasks.empty()) {
    html << "<p class=\"note\">The database has no tasks.</p>\n";
    RenderNetworkRuns(html, data.networks);
    return html.str();
  }
  // Contents: the problems in the order their tasks come.
  std::vector<std::pair<std::string, int>> problems;
  for (const ReportTask& task : data.tasks) {
    if (problems.empty() || problems.back().first != task.key.problem)
      problems.emplace_back(task.key.problem, 0);
    ++problems.back().second;
  }
  html << "<p>Problems:";
  for (size_t i = 0; i < problems.size(); ++i)
    html << (i ? "," : "") << " <a href=\"#problem-" << i << "\">"
         << EscapeMarkup(problems[i].first) << "</a> (" << Count(problems[i].second, "task") << ")";
  if (!data.networks.empty())
    html << "; <a href=\"#networks\">networks</a> ("
         << Count(std::ssize(data.networks), "network run") << ")";
  html << "</p>\n";
  SummaryTables(html, data);
  RenderNetworkRuns(html, data.networks);

  std::map<int64_t, const ReportRun*> runs;
  for (const ReportRun& run : data.runs) runs[run.run.id] = &run;
  size_t problem = 0;
  for (size_t i = 0; i < data.tasks.size(); ++i) {
    if (i == 0 || data.tasks[i].key.problem != data.tasks[i - 1].key.problem) {
      html << "<h2 id=\"problem-" << problem << "\">Problem "
           << EscapeMarkup(problems[problem].first) << "</h2>\n";
      ++problem;
    }
    TaskSection(html, data.tasks[i], runs);
  }
  return html.str();
}

std::string RenderHtmlReport(const ReportData& data, const std::string& source) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>Tessel records: " +
         EscapeMarkup(source) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n" +
         RenderReportBody(data, source) + "</body>\n</html>\n";
}

}  // namespace tessel
