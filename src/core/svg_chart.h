// Charts as standalone SVG text: a grid of panels sharing one legend, each panel with linear or
// logarithmic axes, ticks at round numbers, and its series drawn as lines with point markers,
// steps, scattered points or histogram bars. Small and dependency-free, for figures the commands
// write themselves (a NoC's latency against load, the records' report).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessel {

enum class SeriesStyle {
  kLine,  // a polyline through the points, in order, with a marker at each
  // A step function, as a best-so-far curve is: each point's y holds until the next point's x.
  // Points where y changes are marked; one with the previous y only carries the step on (to
  // where the curve ends), so a long flat run costs one point.
  kStep,
  // Markers only, a scatter. Markers that would land in the same 3-pixel cell as an earlier
  // marker of the series are drawn once: a scatter of many thousands of points stays small.
  kPoints,
  // A histogram: point i is a bar from its x to point i+1's x, of point i's y; the last point
  // only closes the last bar.
  kBars,
};

enum class AxisScale {
  kFromZero,  // linear, its range stretched to include 0
  kLinear,    // linear over the data's range
  kLog,       // base 10 over the data's range; points with a coordinate <= 0 are skipped
};

struct ChartSeries {
  std::string name;  // legend entry; series of the same name share a colour across panels
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in order
  SeriesStyle style = SeriesStyle::kLine;
};

struct ChartPanel {
  std::string title;
  std::vector<ChartSeries> series;
  // Axis ranges; unset: from the data. Points beyond y_max are clipped at the top edge, so a
  // curve that shoots up is seen to leave the plot.
  std::optional<double> x_max, y_max;
  AxisScale x_scale = AxisScale::kFromZero;
  AxisScale y_scale = AxisScale::kFromZero;
  // This panel's axis labels where they differ from the chart's; empty: the chart's.
  std::string x_label{};
  std::string y_label{};
};

struct Chart {
  std::string title;  // empty: none, and no room taken for it
  std::string x_label, y_label;
  std::vector<ChartPanel> panels;
  int columns = 3;  // panels per row
};

// Text made safe in SVG, XML and HTML content and in quoted attribute values.
std::string EscapeMarkup(const std::string& text);

// The chart as an SVG document. Non-finite points are skipped.
std::string RenderSvg(const Chart& chart);

// Round tick positions covering [lo, hi]: about `count` of them at 1, 2 or 5 times a power
// of ten.
std::vector<double> NiceTicks(double lo, double hi, int count = 5);

// Tick positions inside [lo, hi] (0 < lo < hi) for a logarithmic axis: the powers of ten when
// the range holds at least three, else 1, 2 and 5 times them when it holds at least two, else
// NiceTicks' linear ones.
std::vector<double> LogTicks(double lo, double hi);

}  // namespace tessel
