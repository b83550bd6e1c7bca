#include "core/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iterator>
#include <map>
#include <sstream>

namespace tessel {
namespace {

// Colour-blind-safe palette (Okabe and Ito, "Color Universal Design", 2008).
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

constexpr double kPanelWidth = 320, kPanelHeight = 240;
constexpr double kLeft = 56, kRight = 12, kTop = 28, kBottom = 44;  // margins inside a panel
constexpr double kTitleHeight = 30, kLegendHeight = 28;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string TickLabel(double value) {
  std::ostringstream text;
  text << std::setprecision(4) << (std::abs(value) < 1e-12 ? 0.0 : value);
  return text.str();
}

struct Range {
  double lo = 0, hi = 1;
};

// The data's extent over the panel's finite points, widened to the ticks.
std::pair<Range, Range> PanelRanges(const ChartPanel& panel) {
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const ChartSeries& s : panel.series)
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    }
  if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1;
  if (!(y_lo <= y_hi)) y_lo = 0, y_hi = 1;
  if (x_lo > 0) x_lo = 0;
  if (y_lo > 0) y_lo = 0;
  if (panel.x_max) x_hi = *panel.x_max;
  if (panel.y_max) y_hi = *panel.y_max;
  if (x_hi <= x_lo) x_hi = x_lo + 1;
  if (y_hi <= y_lo) y_hi = y_lo + 1;
  const std::vector<double> xs = NiceTicks(x_lo, x_hi), ys = NiceTicks(y_lo, y_hi);
  return {{std::min(x_lo, xs.front()), panel.x_max ? x_hi : std::max(x_hi, xs.back())},
          {std::min(y_lo, ys.front()), panel.y_max ? y_hi : std::max(y_hi, ys.back())}};
}

void RenderPanel(std::ostringstream& svg, const ChartPanel& panel, const Chart& chart, double ox,
                 double oy, const std::map<std::string, std::string>& colours) {
  const auto [xr, yr] = PanelRanges(panel);
  const double w = kPanelWidth - kLeft - kRight, h = kPanelHeight - kTop - kBottom;
  auto px = [&](double x) { return ox + kLeft + (x - xr.lo) / (xr.hi - xr.lo) * w; };
  auto py = [&](double y) {
    return oy + kTop + h - (std::min(y, yr.hi) - yr.lo) / (yr.hi - yr.lo) * h;
  };
  svg << "<text x=\"" << ox + kLeft + w / 2 << "\" y=\"" << oy + 18
      << "\" text-anchor=\"middle\" font-weight=\"bold\">" << Escape(panel.title) << "</text>\n";
  for (double t : NiceTicks(xr.lo, xr.hi)) {
    if (t < xr.lo - 1e-12 || t > xr.hi + 1e-12) continue;
    svg << "<line x1=\"" << px(t) << "\" y1=\"" << oy + kTop << "\" x2=\"" << px(t) << "\" y2=\""
        << oy + kTop + h << "\" stroke=\"#ddd\"/>\n<text x=\"" << px(t) << "\" y=\""
        << oy + kTop + h + 14 << "\" text-anchor=\"middle\">" << TickLabel(t) << "</text>\n";
  }
  for (double t : NiceTicks(yr.lo, yr.hi)) {
    if (t < yr.lo - 1e-12 || t > yr.hi + 1e-12) continue;
    svg << "<line x1=\"" << ox + kLeft << "\" y1=\"" << py(t) << "\" x2=\"" << ox + kLeft + w
        << "\" y2=\"" << py(t) << "\" stroke=\"#ddd\"/>\n<text x=\"" << ox + kLeft - 4 << "\" y=\""
        << py(t) + 4 << "\" text-anchor=\"end\">" << TickLabel(t) << "</text>\n";
  }
  svg << "<rect x=\"" << ox + kLeft << "\" y=\"" << oy + kTop << "\" width=\"" << w
      << "\" height=\"" << h << "\" fill=\"none\" stroke=\"#444\"/>\n";
  svg << "<text x=\"" << ox + kLeft + w / 2 << "\" y=\"" << oy + kPanelHeight - 8
      << "\" text-anchor=\"middle\">" << Escape(chart.x_label) << "</text>\n";
  svg << "<text transform=\"translate(" << ox + 14 << "," << oy + kTop + h / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << Escape(chart.y_label) << "</text>\n";
  for (const ChartSeries& s : panel.series) {
    const std::string& colour = colours.at(s.name);
    std::ostringstream points;
    for (const auto& [x, y] : s.points)
      if (std::isfinite(x) && std::isfinite(y)) points << px(x) << ',' << py(y) << ' ';
    svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\""
        << points.str() << "\"/>\n";
    for (const auto& [x, y] : s.points)
      if (std::isfinite(x) && std::isfinite(y) && y <= yr.hi)
        svg << "<circle cx=\"" << px(x) << "\" cy=\"" << py(y) << "\" r=\"2\" fill=\"" << colour
            << "\"/>\n";
  }
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int count) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double raw = (hi - lo) / std::max(1, count);
  const int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double power = std::pow(10.0, std::abs(exponent));
  // A tick is k x multiple x 10^exponent; dividing by 10^-exponent (exact for the small
  // powers) rather than multiplying by its inexact inverse keeps 0.6 from printing 0.6000001.
  auto tick = [&](double units) { return exponent < 0 ? units / power : units * power; };
  double multiple = 10;
  for (double m : {1.0, 2.0, 5.0})
    if (tick(m) >= raw) {
      multiple = m;
      break;
    }
  std::vector<double> ticks;
  const double first = std::floor(lo / tick(multiple));
  for (double k = first; ticks.size() < 100; ++k) {
    ticks.push_back(tick(k * multiple) + 0.0);  // + 0.0: no negative zero
    if (ticks.back() >= hi) break;
  }
  return ticks;
}

std::string RenderSvg(const Chart& chart) {
  // One colour per series name, in order of first appearance.
  std::map<std::string, std::string> colours;
  std::vector<std::string> names;
  for (const ChartPanel& panel : chart.panels)
    for (const ChartSeries& s : panel.series)
      if (colours.emplace(s.name, kColours[names.size() % std::size(kColours)]).second)
        names.push_back(s.name);
  const int columns =
      std::max(1, std::min<int>(chart.columns, std::max<size_t>(1, chart.panels.size())));
  const int rows = static_cast<int>((chart.panels.size() + columns - 1) / columns);
  const double width = columns * kPanelWidth,
               height = kTitleHeight + kLegendHeight + rows * kPanelHeight;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"white\"/>\n<text x=\""
      << width / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">"
      << Escape(chart.title) << "</text>\n";
  double lx = 12;
  for (const std::string& name : names) {
    svg << "<line x1=\"" << lx << "\" y1=\"" << kTitleHeight + 10 << "\" x2=\"" << lx + 18
        << "\" y2=\"" << kTitleHeight + 10 << "\" stroke=\"" << colours[name]
        << "\" stroke-width=\"2\"/>\n<text x=\"" << lx + 22 << "\" y=\"" << kTitleHeight + 14
        << "\">" << Escape(name) << "</text>\n";
    lx += 30 + 7.0 * static_cast<double>(name.size());
  }
  for (size_t i = 0; i < chart.panels.size(); ++i)
    RenderPanel(svg, chart.panels[i], chart, static_cast<double>(i % columns) * kPanelWidth,
                kTitleHeight + kLegendHeight + static_cast<double>(i / columns) * kPanelHeight,
                colours);
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace tessel
