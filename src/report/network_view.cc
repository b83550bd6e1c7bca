#include "report/network_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "core/svg_chart.h"
#include "report/html_report.h"

namespace tessel {
namespace {

std::string Scientific(double value) {
  if (!std::isfinite(value)) return "&mdash;";
  char text[40];
  std::snprintf(text, sizeof(text), "%.2e", value);
  return text;
}

// "conv2d+relu" -> "conv2d": operators grouped apart from their fused epilogues.
std::string BaseOp(const std::string& op) { return op.substr(0, op.find('+')); }

// A cell with the share as a number and as a bar scaled so that `widest` fills it.
std::string ShareCells(double ms, double total_ms, double widest_ms) {
  const double share = total_ms > 0 ? 100 * ms / total_ms : 0;
  const double width = widest_ms > 0 ? std::clamp(100 * ms / widest_ms, 0.0, 100.0) : 0;
  return "<td class=\"n\">" + FixedOrDash(share, 1) +
         "%</td><td><div class=\"bar\"><span class=\"run\" " +
         "style=\"width:" + FixedOrDash(width, 1) + "%\"></span></div></td>";
}

std::string Title(const NetworkRunRecord& run) {
  return run.network + ", " + std::to_string(run.threads) +
         (run.threads == 1 ? " thread" : " threads");
}

void RunsTable(std::ostringstream& html, const std::vector<ReportNetworkRun>& networks) {
  html << "<table><tr><th>network run</th><th>network</th><th>threads</th>"
          "<th>started (UTC)</th><th>host</th><th>median ms</th><th>min ms</th><th>max ms</th>"
          "<th>kernels tuned</th><th>relative error</th><th>command</th></tr>\n";
  for (const ReportNetworkRun& entry : networks) {
    const NetworkRunRecord& run = entry.run;
    int kernels = 0, tuned = 0;
    for (const NetworkLayerRecord& layer : run.layers) {
      kernels += !layer.workload.empty();
      tuned += layer.tuned;
    }
    html << "<tr><td>";
    if (entry.newest) {
      html << "<a href=\"#network-" << run.id << "\">" << run.id << "</a>";
    } else {
      html << run.id;
    }
    html << "</td><td>" << EscapeMarkup(run.network) << "</td><td class=\"n\">" << run.threads
         << "</td><td>" << EscapeMarkup(run.started_at) << "</td><td title=\""
         << EscapeMarkup(entry.host_detail) << "\">" << EscapeMarkup(entry.host_short)
         << "</td><td class=\"n\">" << FixedOrDash(run.median_ms, 3) << "</td><td class=\"n\">"
         << FixedOrDash(run.min_ms, 3) << "</td><td class=\"n\">" << FixedOrDash(run.max_ms, 3)
         << "</td><td class=\"n\">" << tuned << " of " << kernels << "</td><td class=\"n\">"
         << Scientific(run.relative_error) << "</td><td><code>" << EscapeMarkup(run.command)
         << "</code></td></tr>\n";
  }
  html << "</table>\n";
}

void NetworkSection(std::ostringstream& html, const ReportNetworkRun& entry) {
  const NetworkRunRecord& run = entry.run;
  double layers_ms = 0, widest_ms = 0;
  std::map<std::string, std::pair<int, double>> by_op;  // base op -> (layers, ms)
  for (const NetworkLayerRecord& layer : run.layers) {
    layers_ms += layer.median_ms;
    widest_ms = std::max(widest_ms, layer.median_ms);
    auto& [count, ms] = by_op[BaseOp(layer.op)];
    ++count;
    ms += layer.median_ms;
  }
  html << "<section id=\"network-" << run.id << "\">\n<h3>" << EscapeMarkup(Title(run))
       << " (network run " << run.id << ")</h3>\n<p class=\"key\">End to end: median "
       << FixedOrDash(run.median_ms, 3) << " ms over " << run.repeats << " runs (min "
       << FixedOrDash(run.min_ms, 3) << ", max " << FixedOrDash(run.max_ms, 3) << ") on "
       << EscapeMarkup(entry.host_short) << ". The layers' medians add up to "
       << FixedOrDash(layers_ms, 3)
       << " ms; a share is of that sum. A task links to its section when the layer ran a recorded "
          "configuration.</p>\n<div class=\"tables\">\n";

  std::vector<std::pair<std::string, std::pair<int, double>>> ops(by_op.begin(), by_op.end());
  std::stable_sort(ops.begin(), ops.end(),
                   [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  const double widest_op = ops.empty() ? 0 : ops.front().second.second;
  html << "<table><tr><th>operator</th><th>layers</th><th>ms</th><th colspan=\"2\">share</th>"
          "</tr>\n";
  for (const auto& [op, totals] : ops)
    html << "<tr><td>" << EscapeMarkup(op) << "</td><td class=\"n\">" << totals.first
         << "</td><td class=\"n\">" << FixedOrDash(totals.second, 4) << "</td>"
         << ShareCells(totals.second, layers_ms, widest_op) << "</tr>\n";
  html << "</table>\n";

  html << "<table><tr><th>#</th><th>layer</th><th>op</th><th>task</th><th>tuned</th>"
          "<th>median ms</th><th colspan=\"2\">share</th></tr>\n";
  for (size_t i = 0; i < run.layers.size(); ++i) {
    const NetworkLayerRecord& layer = run.layers[i];
    const bool kernel = !layer.workload.empty();
    html << "<tr><td class=\"n\">" << i << "</td><td>" << EscapeMarkup(layer.name) << "</td><td>"
         << EscapeMarkup(layer.op) << "</td><td title=\"" << EscapeMarkup(layer.workload) << "\">";
    if (layer.task_id) {
      html << "<a href=\"#task-" << *layer.task_id << "\">" << EscapeMarkup(layer.task) << "</a>";
    } else {
      html << EscapeMarkup(layer.task);
    }
    html << "</td><td>" << (kernel ? (layer.tuned ? "yes" : "no") : "") << "</td><td class=\"n\">"
         << FixedOrDash(layer.median_ms, 4) << "</td>"
         << ShareCells(layer.median_ms, layers_ms, widest_ms) << "</tr>\n";
  }
  html << "</table>\n</div>\n</section>\n";
}

}  // namespace

void RenderNetworkRuns(std::ostringstream& html, const std::vector<ReportNetworkRun>& networks) {
  if (networks.empty()) return;
  html << "<h2 id=\"networks\">Networks</h2>\n<p class=\"note\">Whole networks timed by "
          "<code>tessel run</code> with the best records, newest last; the newest run of each "
          "network per thread count and machine is broken down below.</p>\n";
  RunsTable(html, networks);
  for (const ReportNetworkRun& entry : networks)
    if (entry.newest) NetworkSection(html, entry);
}

}  // namespace tessel
