#include "core/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tessel {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST(EscapeMarkupTest, EscapesMarkupAndQuotes) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(EscapeMarkup("plain"), "plain");
}

TEST(SvgChartTest, TicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(NiceTicks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(NiceTicks(0, 230, 5), (std::vector<double>{0, 50, 100, 150, 200, 250}));
  const std::vector<double> ticks = NiceTicks(0.013, 0.47);
  EXPECT_LE(ticks.front(), 0.013);
  EXPECT_GE(ticks.back(), 0.47);
  EXPECT_EQ(NiceTicks(3, 3).size(), 1u);  // an empty range has one tick
}

TEST(SvgChartTest, DrawsOnePolylinePerSeriesAndOneLegendEntryPerName) {
  Chart chart{"Latency <against> load", "offered load", "latency", {}, 2};
  ChartPanel uniform{
      "uniform", {{"xy", {{0.1, 20}, {0.2, 25}}}, {"odd-even", {{0.1, 21}}}}, {}, {}};
  ChartPanel transpose{"transpose", {{"xy", {{0.1, 30}, {0.2, NAN}, {0.3, 500}}}}, {}, 100.0};
  chart.panels = {uniform, transpose};
  const std::string svg = RenderSvg(chart);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(Count(svg, "<polyline"), 3u);
  // Legend: one line per distinct name (2), panels draw theirs as polylines.
  EXPECT_EQ(Count(svg, "stroke-width=\"2\""), 2u);
  // Markers: the NaN point is skipped, the one above y_max is clipped without a marker.
  EXPECT_EQ(Count(svg, "<circle"), 4u);
  EXPECT_NE(svg.find("Latency &lt;against&gt; load"), std::string::npos);
  EXPECT_EQ(svg.find("<against>"), std::string::npos);
}

TEST(SvgChartTest, LogTicksArePowersOfTenOrTheirMultiples) {
  EXPECT_EQ(LogTicks(1, 1000), (std::vector<double>{1, 10, 100, 1000}));
  EXPECT_EQ(LogTicks(0.003, 0.5), (std::vector<double>{0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}));
  EXPECT_EQ(LogTicks(2, 30), (std::vector<double>{2, 5, 10, 20}));
  // Less than a factor of 2: linear ticks inside the range.
  for (double t : LogTicks(3.1, 3.5)) {
    EXPECT_GE(t, 3.1);
    EXPECT_LE(t, 3.5);
  }
  EXPECT_GE(LogTicks(3.1, 3.5).size(), 2u);
}

TEST(SvgChartTest, StepsHoldTheirValueAndMarkOnlyChanges) {
  Chart chart{"", "x", "y", {}, 1};
  ChartPanel panel{"best", {{"run", {{1, 5}, {2, 3}, {6, 2}, {7, 2}}, SeriesStyle::kStep}}, {}, {}};
  panel.x_scale = panel.y_scale = AxisScale::kLinear;
  chart.panels = {panel};
  const std::string svg = RenderSvg(chart);
  const size_t start = svg.find("points=\"") + 8;
  const std::string points = svg.substr(start, svg.find('"', start) - start);
  // (1,5) (2,5) (2,3) (6,3) (6,2) (7,2): a hold before each change, none before the end.
  EXPECT_EQ(Count(points, ","), 6u) << points;
  EXPECT_EQ(Count(svg, "<circle"), 3u);
  // No title, no room for it.
  EXPECT_EQ(svg.find("font-size=\"14\""), std::string::npos);
}

TEST(SvgChartTest, ScatterDrawsOneMarkerPerSpotAndSkipsWhatALogAxisCannotShow) {
  ChartSeries many{"ok", {}, SeriesStyle::kPoints};
  for (int i = 0; i < 1000; ++i) many.points.emplace_back(1 + (i % 2) * 1e-9, 10);
  many.points.emplace_back(100, 1000);
  many.points.emplace_back(-1, 50);  // not on a log axis
  many.points.emplace_back(5, 0);
  ChartPanel panel{"scatter", {many}, {}, {}};
  panel.x_scale = panel.y_scale = AxisScale::kLog;
  panel.x_label = "area";
  const std::string svg = RenderSvg({"", "unused", "energy", {panel}, 1});
  // Two markers in the plot, one in the legend.
  EXPECT_EQ(Count(svg, "<circle"), 3u);
  EXPECT_NE(svg.find(">area</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">unused</text>"), std::string::npos);
  EXPECT_NE(svg.find(">energy</text>"), std::string::npos);
}

TEST(SvgChartTest, BarsSpanFromEachPointToTheNext) {
  ChartPanel panel{"histogram",
                   {{"counts", {{0, 3}, {1, 0}, {2, 5}, {3, 1}, {4, 0}}, SeriesStyle::kBars}},
                   {},
                   {}};
  panel.x_scale = AxisScale::kLinear;
  const std::string svg = RenderSvg({"", "value", "count", {panel}, 1});
  // Three bars (an empty bin draws none), the plot's frame, the legend's swatch, the background.
  EXPECT_EQ(Count(svg, "stroke=\"white\""), 3u);
  EXPECT_EQ(Count(svg, "<rect"), 6u);
}

TEST(SvgChartTest, ALongLegendWraps) {
  Chart narrow{"t", "x", "y", {{"p", {}, {}, {}}}, 1};
  for (int i = 0; i < 30; ++i)
    narrow.panels[0].series.push_back(
        {"a long run name " + std::to_string(i), {{1.0 * i, 1.0 * i}}});
  Chart one = narrow;
  one.panels[0].series.resize(1);
  auto height = [](const std::string& svg) {
    const size_t at = svg.find("height=\"") + 8;
    return std::stod(svg.substr(at, svg.find('"', at) - at));
  };
  const std::string svg = RenderSvg(narrow);
  EXPECT_GT(height(svg), height(RenderSvg(one)) + 100);
  // Every legend entry lies inside the drawing.
  size_t at = 0;
  while ((at = svg.find("<text x=\"", at)) != std::string::npos) {
    at += 9;
    EXPECT_LT(std::stod(svg.substr(at)), 320);
  }
}

}  // namespace
}  // namespace tessel
