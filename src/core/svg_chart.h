// Line charts as standalone SVG text: a grid of panels sharing one legend, each panel with
// linear axes, ticks at round numbers, and one polyline (with point markers) per series. Small
// and dependency-free, for figures the command writes itself (a NoC's latency against load).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tessel {

struct ChartSeries {
  std::string name;  // legend entry; series of the same name share a colour across panels
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in order
};

struct ChartPanel {
  std::string title;
  std::vector<ChartSeries> series;
  // Axis ranges; unset: from the data (x from 0 when all x are positive). Points beyond
  // y_max are clipped at the top edge, so a curve that shoots up is seen to leave the plot.
  std::optional<double> x_max, y_max;
};

struct Chart {
  std::string title;
  std::string x_label, y_label;
  std::vector<ChartPanel> panels;
  int columns = 3;  // panels per row
};

// The chart as an SVG document. Non-finite points are skipped.
std::string RenderSvg(const Chart& chart);

// Round tick positions covering [lo, hi]: about `count` of them at 1, 2 or 5 times a power
// of ten.
std::vector<double> NiceTicks(double lo, double hi, int count = 5);

}  // namespace tessel
