#include "core/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace tessel {
namespace {

// Colour-blind-safe palette (Okabe and Ito, "Color Universal Design", 2008).
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

constexpr double kPanelWidth = 320, kPanelHeight = 240;
constexpr double kLeft = 56, kRight = 12, kTop = 28, kBottom = 44;  // margins inside a panel
constexpr double kTitleHeight = 30, kLegendHeight = 28, kLegendRow = 18;
// A scatter draws one marker (4 pixels wide) per cell this size: a marker more in a cell would
// hardly show, and the markers of a panel stay under (252 / 3) x (168 / 3), about 4,700.
constexpr double kPointCell = 3;

std::string TickLabel(double value) {
  std::ostringstream text;
  text << std::setprecision(4) << (std::abs(value) < 1e-12 ? 0.0 : value);
  return text.str();
}

// A coordinate in pixels, to a tenth: finer than a screen shows, and a report of many charts
// stays small.
std::string Px(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", value);
  std::string out(text);
  if (out.ends_with(".0")) out.resize(out.size() - 2);
  return out == "-0" ? "0" : out;
}

// One axis of a panel: its range and how values map onto it.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;

  bool Accepts(double v) const { return std::isfinite(v) && (!log || v > 0); }
  // Where v lies from lo (0) to hi (1).
  double Fraction(double v) const {
    if (log) return (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
    return (v - lo) / (hi - lo);
  }
  std::vector<double> Ticks() const { return log ? LogTicks(lo, hi) : NiceTicks(lo, hi); }
};

// The axis over the data's extent [lo, hi] (lo > hi when there is none).
Axis MakeAxis(double lo, double hi, AxisScale scale, std::optional<double> max) {
  Axis axis;
  if (scale == AxisScale::kLog) {
    axis.log = true;
    if (!(lo <= hi)) lo = 1, hi = 10;
    if (max && *max > lo) hi = *max;
    if (hi <= lo) lo /= 2, hi *= 2;
    // A margin of 4% of the decades shown keeps the extreme points off the frame.
    const double margin = std::pow(10.0, 0.04 * std::log10(hi / lo));
    axis.lo = lo / margin;
    axis.hi = max ? hi : hi * margin;
    return axis;
  }
  if (!(lo <= hi)) lo = 0, hi = 1;
  if (scale == AxisScale::kFromZero && lo > 0) lo = 0;
  if (max) hi = *max;
  if (hi <= lo) {
    if (scale == AxisScale::kFromZero) {
      hi = lo + 1;
    } else {  // one value: centred
      const double half = lo != 0 ? std::abs(lo) * 0.05 : 0.5;
      lo -= half, hi += half;
    }
  }
  const std::vector<double> ticks = NiceTicks(lo, hi);
  axis.lo = std::min(lo, ticks.front());
  axis.hi = max ? hi : std::max(hi, ticks.back());
  return axis;
}

// The panel's axes, over the points both of them can show.
std::pair<Axis, Axis> PanelAxes(const ChartPanel& panel) {
  const Axis any_x{0, 1, panel.x_scale == AxisScale::kLog},
      any_y{0, 1, panel.y_scale == AxisScale::kLog};
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const ChartSeries& s : panel.series)
    for (const auto& [x, y] : s.points) {
      if (!any_x.Accepts(x) || !any_y.Accepts(y)) continue;
      x_lo = std::min(x_lo, x), x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y), y_hi = std::max(y_hi, y);
    }
  return {MakeAxis(x_lo, x_hi, panel.x_scale, panel.x_max),
          MakeAxis(y_lo, y_hi, panel.y_scale, panel.y_max)};
}

void RenderPanel(std::ostringstream& svg, const ChartPanel& panel, const Chart& chart, double ox,
                 double oy, const std::map<std::string, std::string>& colours) {
  const auto [xa, ya] = PanelAxes(panel);
  const double w = kPanelWidth - kLeft - kRight, h = kPanelHeight - kTop - kBottom;
  auto px = [&](double x) { return ox + kLeft + xa.Fraction(x) * w; };
  auto py = [&](double y) { return oy + kTop + h - ya.Fraction(std::min(y, ya.hi)) * h; };
  auto visible = [&](double x, double y) { return xa.Accepts(x) && ya.Accepts(y); };
  svg << "<text x=\"" << Px(ox + kLeft + w / 2) << "\" y=\"" << Px(oy + 18)
      << "\" text-anchor=\"middle\" font-weight=\"bold\">" << EscapeMarkup(panel.title)
      << "</text>\n";
  for (double t : xa.Ticks()) {
    if (t < xa.lo - 1e-12 || t > xa.hi + 1e-12) continue;
    svg << "<line x1=\"" << Px(px(t)) << "\" y1=\"" << Px(oy + kTop) << "\" x2=\"" << Px(px(t))
        << "\" y2=\"" << Px(oy + kTop + h) << "\" stroke=\"#ddd\"/>\n<text x=\"" << Px(px(t))
        << "\" y=\"" << Px(oy + kTop + h + 14) << "\" text-anchor=\"middle\">" << TickLabel(t)
        << "</text>\n";
  }
  for (double t : ya.Ticks()) {
    if (t < ya.lo - 1e-12 || t > ya.hi + 1e-12) continue;
    svg << "<line x1=\"" << Px(ox + kLeft) << "\" y1=\"" << Px(py(t)) << "\" x2=\""
        << Px(ox + kLeft + w) << "\" y2=\"" << Px(py(t)) << "\" stroke=\"#ddd\"/>\n<text x=\""
        << Px(ox + kLeft - 4) << "\" y=\"" << Px(py(t) + 4) << "\" text-anchor=\"end\">"
        << TickLabel(t) << "</text>\n";
  }
  svg << "<rect x=\"" << Px(ox + kLeft) << "\" y=\"" << Px(oy + kTop) << "\" width=\"" << Px(w)
      << "\" height=\"" << Px(h) << "\" fill=\"none\" stroke=\"#444\"/>\n";
  const std::string& x_label = panel.x_label.empty() ? chart.x_label : panel.x_label;
  const std::string& y_label = panel.y_label.empty() ? chart.y_label : panel.y_label;
  svg << "<text x=\"" << Px(ox + kLeft + w / 2) << "\" y=\"" << Px(oy + kPanelHeight - 8)
      << "\" text-anchor=\"middle\">" << EscapeMarkup(x_label) << "</text>\n";
  svg << "<text transform=\"translate(" << Px(ox + 14) << "," << Px(oy + kTop + h / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << EscapeMarkup(y_label) << "</text>\n";
  for (const ChartSeries& s : panel.series) {
    const std::string& colour = colours.at(s.name);
    auto marker = [&](double x, double y) {
      if (visible(x, y) && y <= ya.hi)
        svg << "<circle cx=\"" << Px(px(x)) << "\" cy=\"" << Px(py(y)) << "\" r=\"2\" fill=\""
            << colour << "\"/>\n";
    };
    switch (s.style) {
      case SeriesStyle::kLine:
      case SeriesStyle::kStep: {
        std::ostringstream points;
        bool first = true;
        double last_y = 0;
        for (const auto& [x, y] : s.points) {
          if (!visible(x, y)) continue;
          // A step holds the previous value up to this x, then changes.
          if (s.style == SeriesStyle::kStep && !first && y != last_y)
            points << Px(px(x)) << ',' << Px(py(last_y)) << ' ';
          points << Px(px(x)) << ',' << Px(py(y)) << ' ';
          first = false;
          last_y = y;
        }
        svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\""
            << points.str() << "\"/>\n";
        // A step is marked where it changes; a point that only carries it on is not.
        std::optional<double> previous;
        for (const auto& [x, y] : s.points) {
          if (s.style == SeriesStyle::kLine || !previous || y != *previous) marker(x, y);
          if (visible(x, y)) previous = y;
        }
        break;
      }
      case SeriesStyle::kPoints: {
        svg << "<g fill=\"" << colour << "\" fill-opacity=\"0.6\">\n";
        std::set<std::pair<long, long>> drawn;  // cells of kPointCell pixels
        for (const auto& [x, y] : s.points) {
          if (!visible(x, y) || y > ya.hi) continue;
          const double cx = px(x), cy = py(y);
          if (!drawn.emplace(std::lround(cx / kPointCell), std::lround(cy / kPointCell)).second)
            continue;
          svg << "<circle cx=\"" << Px(cx) << "\" cy=\"" << Px(cy) << "\" r=\"2\"/>\n";
        }
        svg << "</g>\n";
        break;
      }
      case SeriesStyle::kBars: {
        const double base = ya.log ? ya.lo : std::clamp(0.0, ya.lo, ya.hi);
        for (size_t i = 0; i + 1 < s.points.size(); ++i) {
          const auto [x, y] = s.points[i];
          const double right = s.points[i + 1].first;
          if (!visible(x, y) || !xa.Accepts(right) || y <= base) continue;
          svg << "<rect x=\"" << Px(px(x)) << "\" y=\"" << Px(py(y)) << "\" width=\""
              << Px(px(right) - px(x)) << "\" height=\"" << Px(py(base) - py(y)) << "\" fill=\""
              << colour << "\" fill-opacity=\"0.7\" stroke=\"white\" stroke-width=\"0.5\"/>\n";
        }
        break;
      }
    }
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

std::vector<double> LogTicks(double lo, double hi) {
  if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi)) return NiceTicks(lo, hi);
  for (const std::vector<double>& multiples :
       {std::vector<double>{1}, std::vector<double>{1, 2, 5}}) {
    std::vector<double> ticks;
    for (int e = static_cast<int>(std::floor(std::log10(lo)));
         e <= static_cast<int>(std::ceil(std::log10(hi))); ++e) {
      for (double m : multiples) {
        // Divided by 10^-e as in NiceTicks, so that 0.02 prints as such.
        const double t = e < 0 ? m / std::pow(10.0, -e) : m * std::pow(10.0, e);
        if (t >= lo * (1 - 1e-12) && t <= hi * (1 + 1e-12)) ticks.push_back(t);
      }
    }
    if (ticks.size() >= (multiples.size() == 1 ? 3u : 2u)) return ticks;
  }
  std::vector<double> ticks;
  for (double t : NiceTicks(lo, hi))
    if (t >= lo && t <= hi) ticks.push_back(t);
  return ticks;
}

std::string EscapeMarkup(const std::string& text) {
  std::string out;
  out.reserve(text.size());
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
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderSvg(const Chart& chart) {
  // One colour per series name, in order of first appearance; the legend shows the first
  // series' style of each name.
  std::map<std::string, std::string> colours;
  std::vector<std::pair<std::string, SeriesStyle>> names;
  for (const ChartPanel& panel : chart.panels)
    for (const ChartSeries& s : panel.series)
      if (colours.emplace(s.name, kColours[names.size() % std::size(kColours)]).second)
        names.emplace_back(s.name, s.style);
  const int columns =
      std::max(1, std::min<int>(chart.columns, std::max<size_t>(1, chart.panels.size())));
  const int rows = static_cast<int>((chart.panels.size() + columns - 1) / columns);
  const double width = columns * kPanelWidth;
  // The legend wraps into as many rows as its entries need.
  std::vector<std::pair<double, double>> entry_at;  // (x, row)
  double lx = 12, row = 0;
  for (const auto& [name, style] : names) {
    const double entry_width = 30 + 7.0 * static_cast<double>(name.size());
    if (lx > 12 && lx + entry_width > width - 12) lx = 12, row += 1;
    entry_at.emplace_back(lx, row);
    lx += entry_width;
  }
  const double title_height = chart.title.empty() ? 4 : kTitleHeight;
  const double legend_height = kLegendHeight + row * kLegendRow;
  const double height = title_height + legend_height + rows * kPanelHeight;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << Px(width) << "\" height=\""
      << Px(height) << "\" viewBox=\"0 0 " << Px(width) << ' ' << Px(height)
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"white\"/>\n";
  if (!chart.title.empty()) {
    svg << "<text x=\"" << Px(width / 2)
        << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">"
        << EscapeMarkup(chart.title) << "</text>\n";
  }
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& [name, style] = names[i];
    const double x = entry_at[i].first, y = title_height + 10 + entry_at[i].second * kLegendRow;
    const std::string& colour = colours[name];
    if (style == SeriesStyle::kPoints) {
      svg << "<circle cx=\"" << Px(x + 9) << "\" cy=\"" << Px(y) << "\" r=\"3\" fill=\"" << colour
          << "\"/>\n";
    } else if (style == SeriesStyle::kBars) {
      svg << "<rect x=\"" << Px(x + 3) << "\" y=\"" << Px(y - 5) << "\" width=\"12\" "
          << "height=\"10\" fill=\"" << colour << "\" fill-opacity=\"0.7\"/>\n";
    } else {
      svg << "<line x1=\"" << Px(x) << "\" y1=\"" << Px(y) << "\" x2=\"" << Px(x + 18) << "\" y2=\""
          << Px(y) << "\" stroke=\"" << colour << "\" stroke-width=\"2\"/>\n";
    }
    svg << "<text x=\"" << Px(x + 22) << "\" y=\"" << Px(y + 4) << "\">" << EscapeMarkup(name)
        << "</text>\n";
  }
  for (size_t i = 0; i < chart.panels.size(); ++i)
    RenderPanel(svg, chart.panels[i], chart, static_cast<double>(i % columns) * kPanelWidth,
                title_height + legend_height + static_cast<double>(i / columns) * kPanelHeight,
                colours);
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace tessel
