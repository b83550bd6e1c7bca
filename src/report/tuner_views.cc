#include "report/tuner_views.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <set>

#include "core/svg_chart.h"
#include "report/html_report.h"

namespace tessel {
namespace {

// Ranks from 1, ties sharing their mean rank.
std::vector<double> Ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double mean = (static_cast<double>(i + j) / 2) + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = mean;
    i = j + 1;
  }
  return ranks;
}

ModelFit FitOf(const std::vector<double>& measured, const std::vector<double>& scores) {
  ModelFit fit;
  fit.pairs = std::ssize(measured);
  fit.spearman = Spearman(measured, scores);
  return fit;
}

std::string Correlation(double value) { return FixedOrDash(value, 3); }

void LearningChart(std::ostringstream& html, const RunTunerViews& run) {
  Chart chart;
  chart.x_label = "round";
  chart.columns = std::min<int>(4, std::ssize(run.learning));
  for (const LearningSeries& series : run.learning) {
    ChartPanel panel{series.name, {}, {}, {}};
    panel.x_scale = AxisScale::kLinear;
    panel.y_scale = AxisScale::kLinear;
    panel.y_label = series.name;
    panel.series.push_back({run.label, series.points, SeriesStyle::kLine});
    chart.panels.push_back(std::move(panel));
  }
  html << "<figure>" << RenderSvg(chart) << "<figcaption class=\"note\">" << EscapeMarkup(run.label)
       << ": what the agent logged per round (an update round, an episode), one panel per "
          "name.</figcaption></figure>\n";
}

void ModelCharts(std::ostringstream& html, const RunTunerViews& run,
                 const std::string& value_label) {
  Chart chart;
  chart.columns = 2;
  ChartPanel scatter{"model score against measured", {}, {}, {}};
  scatter.x_label = value_label + ", measured";
  scatter.y_label = "model score (higher: predicted faster)";
  scatter.x_scale = AxisScale::kLinear;
  scatter.y_scale = AxisScale::kLinear;
  scatter.series.push_back({run.label, run.predicted, SeriesStyle::kPoints});
  chart.panels.push_back(std::move(scatter));
  std::vector<std::pair<double, double>> per_fit;
  for (const ModelFit& fit : run.per_fit)
    if (std::isfinite(fit.spearman))
      per_fit.emplace_back(static_cast<double>(fit.fitted_on), fit.spearman);
  if (!per_fit.empty()) {
    ChartPanel panel{"Spearman per refit", {}, {}, {}};
    panel.x_label = "measurements the model was fitted on";
    panel.y_label = "Spearman of score and measured";
    panel.x_scale = AxisScale::kFromZero;
    panel.y_scale = AxisScale::kLinear;
    panel.series.push_back({run.label, per_fit, SeriesStyle::kLine});
    chart.panels.push_back(std::move(panel));
  }
  html << "<figure>" << RenderSvg(chart) << "<figcaption class=\"note\">" << EscapeMarkup(run.label)
       << ": the cost model's score for each configuration it proposed against its measured "
          "value, "
       << run.overall.pairs << " successful measurements";
  if (run.predicted_failed > 0) html << " (" << run.predicted_failed << " failed, not shown)";
  html << "; Spearman &rho; = " << Correlation(run.overall.spearman)
       << ". The score is higher for what the model predicts faster, so &minus;1 is a model that "
          "ranks every configuration as measured.</figcaption></figure>\n";
}

}  // namespace

double Spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 3) return std::nan("");
  const std::vector<double> rx = Ranks({x.begin(), x.begin() + n});
  const std::vector<double> ry = Ranks({y.begin(), y.begin() + n});
  const double mean = (static_cast<double>(n) + 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return std::nan("");
  return sxy / std::sqrt(sxx * syy);
}

std::vector<RunTunerViews> ReadTunerViews(const RecordStore& store, int64_t task_id,
                                          const std::map<int64_t, std::string>& labels) {
  std::vector<RunTunerViews> views;
  std::map<int64_t, std::map<std::string, LearningSeries>> learning;  // by run, by name
  std::set<int64_t> runs;
  for (const TunerLogEntry& entry : store.TunerLog(task_id)) {
    runs.insert(entry.run_id);
    if (entry.name == kPredictedName || entry.name == kFittedOnName) continue;
    LearningSeries& series = learning[entry.run_id][entry.name];
    series.name = entry.name;
    series.points.emplace_back(static_cast<double>(entry.step), entry.value);
  }
  for (int64_t run_id : runs) {
    RunTunerViews run;
    run.run_id = run_id;
    const auto label = labels.find(run_id);
    run.label = label == labels.end() ? "run " + std::to_string(run_id) : label->second;
    for (auto& [name, series] : learning[run_id]) run.learning.push_back(std::move(series));
    // Each score pairs with its measurement by seq, and with the size of the fit that made it.
    std::map<int64_t, double> fitted_on;
    for (const LoggedAgainstMeasured& entry :
         store.TunerLogAgainstMeasured(run_id, task_id, kFittedOnName))
      fitted_on[entry.step] = entry.logged;
    std::map<int64_t, std::pair<std::vector<double>, std::vector<double>>> by_fit;
    std::vector<double> measured, scores;
    for (const LoggedAgainstMeasured& entry :
         store.TunerLogAgainstMeasured(run_id, task_id, kPredictedName)) {
      if (!std::isfinite(entry.measured) || !std::isfinite(entry.logged)) {
        ++run.predicted_failed;
        continue;
      }
      run.predicted.emplace_back(entry.measured, entry.logged);
      measured.push_back(entry.measured);
      scores.push_back(entry.logged);
      const auto fit = fitted_on.find(entry.step);
      if (fit == fitted_on.end()) continue;
      auto& [fit_measured, fit_scores] = by_fit[static_cast<int64_t>(fit->second)];
      fit_measured.push_back(entry.measured);
      fit_scores.push_back(entry.logged);
    }
    run.overall = FitOf(measured, scores);
    for (const auto& [size, pairs] : by_fit) {
      ModelFit fit = FitOf(pairs.first, pairs.second);
      fit.fitted_on = size;
      run.per_fit.push_back(fit);
    }
    if (run.learning.empty() && run.predicted.empty() && run.predicted_failed == 0) continue;
    views.push_back(std::move(run));
  }
  return views;
}

void RenderTunerViews(std::ostringstream& html, const std::vector<RunTunerViews>& views,
                      const std::string& value_label) {
  bool learning = false, model = false;
  for (const RunTunerViews& run : views) {
    learning |= !run.learning.empty();
    model |= !run.predicted.empty();
  }
  if (learning) {
    html << "<h4>What the tuners' agents learned</h4>\n<div class=\"figs\">\n";
    for (const RunTunerViews& run : views)
      if (!run.learning.empty()) LearningChart(html, run);
    html << "</div>\n";
  }
  if (model) {
    html << "<h4>Cost model against measurements</h4>\n<div class=\"figs\">\n";
    for (const RunTunerViews& run : views)
      if (!run.predicted.empty()) ModelCharts(html, run, value_label);
    html << "</div>\n";
  }
}

}  // namespace tessel
