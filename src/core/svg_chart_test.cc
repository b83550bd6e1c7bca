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

}  // namespace
}  // namespace tessel
