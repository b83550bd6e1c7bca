#include "tune/progress_render.h"

#include <algorithm>
#include <cstdio>

namespace tessel {
namespace {

using Phase = ProgressTaskView::Phase;

// A bar narrower than this says too little: the line drops it and keeps the numbers.
constexpr int kMinBar = 8;
constexpr int kMaxBar = 40;

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int Columns(const std::string& text) {
  return static_cast<int>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsContinuation(c); }));
}

// The code points of `text`, one string each.
std::vector<std::string> CodePoints(const std::string& text) {
  std::vector<std::string> points;
  for (char c : text) {
    if (IsContinuation(c) && !points.empty()) {
      points.back() += c;
    } else {
      points.emplace_back(1, c);
    }
  }
  return points;
}

// A label in exactly `columns` columns: padded, or shortened in the middle ("resn..r.11"),
// as both a model's name and a layer's number tell tasks apart.
std::string FitLabel(const std::string& label, int columns) {
  const std::vector<std::string> points = CodePoints(label);
  std::string fitted;
  if (static_cast<int>(points.size()) <= columns) {
    fitted = label;
  } else if (columns <= 3) {
    for (int i = 0; i < columns; ++i) fitted += points[i];
    return fitted;
  } else {
    const int tail = (columns - 2) / 2, head = columns - 2 - tail;
    for (int i = 0; i < head; ++i) fitted += points[i];
    fitted += "..";
    for (size_t i = points.size() - tail; i < points.size(); ++i) fitted += points[i];
  }
  return fitted + std::string(columns - Columns(fitted), ' ');
}

std::string Bar(int done, int total, int columns) {
  const double fraction = total > 0 ? std::clamp(double(done) / total, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(fraction * columns + 0.5);
  std::string bar = "[";
  bar.append(filled, '#').append(columns - filled, '.').push_back(']');
  return bar;
}

std::string Counts(int done, int total) {
  char text[64];
  if (total > 0) {
    std::snprintf(text, sizeof(text), "%d/%d %3d%%", done, total,
                  static_cast<int>(100.0 * std::min(done, total) / total));
  } else {
    std::snprintf(text, sizeof(text), "%d/?", done);
  }
  return text;
}

// A bar line in fewer than `width` columns: the label, the bar, the counts and the first of
// `suffixes` (most detailed first) that leaves room for a bar; without room for one even with
// the last, no bar and the text cut to fit.
struct BarLine {
  std::string head, tail;
  int done, total;
  int room;  // columns the bar may take; below kMinBar: no bar
};

BarLine PlanLine(const std::string& label, int label_columns, int done, int total,
                 const std::vector<std::string>& suffixes, int width) {
  const int limit = std::max(0, width - 1);
  BarLine line{FitLabel(label, label_columns) + " ", "", done, total, 0};
  const std::string counts = Counts(done, total);
  for (const std::string& suffix : suffixes) {
    line.tail = " " + counts + (suffix.empty() ? "" : "  " + suffix);
    line.room = limit - Columns(line.head) - Columns(line.tail) - 2;  // 2: the brackets
    if (line.room >= kMinBar) return line;
  }
  line.tail = FitColumns(line.head + counts + line.tail.substr(1 + counts.size()), limit);
  line.head.clear();
  return line;
}

// The lines, their bars all as wide (so that they line up), as wide as the tightest allows.
std::vector<std::string> DrawLines(const std::vector<BarLine>& plans) {
  int bar = kMaxBar;
  for (const BarLine& plan : plans)
    if (plan.room >= kMinBar) bar = std::min(bar, plan.room);
  std::vector<std::string> lines;
  for (const BarLine& plan : plans)
    lines.push_back(plan.room >= kMinBar ? plan.head + Bar(plan.done, plan.total, bar) + plan.tail
                                         : plan.tail);
  return lines;
}

std::string EtaText(double seconds) { return "ETA " + FormatDuration(seconds); }

std::vector<std::string> TaskSuffixes(const ProgressTaskView& task) {
  // An idle task short of its total was stopped (Ctrl-C) before its round ended.
  const std::string eta = task.phase == Phase::kActive ? EtaText(task.eta_seconds)
                          : task.done < task.total     ? "stopped"
                                                       : "done";
  const std::string best = FormatBest(task.best, task.flops, task.unit);
  const std::string brief = FormatBest(task.best, task.flops, task.unit, true);
  return {best + "  " + eta, brief + "  " + eta, brief, eta, ""};
}

std::vector<std::string> OverallSuffixes(const ProgressSnapshot& snapshot) {
  const std::string times =
      "elapsed " + FormatDuration(snapshot.elapsed_seconds) + "  " + EtaText(snapshot.eta_seconds);
  const std::string eta = EtaText(snapshot.eta_seconds);
  if (!snapshot.show_best) return {times, eta, ""};
  const std::string best = FormatBest(snapshot.best, snapshot.flops, snapshot.unit);
  const std::string brief = FormatBest(snapshot.best, snapshot.flops, snapshot.unit, true);
  return {best + "  " + times, brief + "  " + times, brief + "  " + eta, eta, ""};
}

// The tasks that get a bar, in the run's order: the active ones, then the most recently
// active, up to `limit`.
std::vector<size_t> ShownTasks(const std::vector<ProgressTaskView>& tasks, int limit) {
  std::vector<size_t> started;
  for (size_t i = 0; i < tasks.size(); ++i)
    if (tasks[i].phase != Phase::kWaiting) started.push_back(i);
  std::stable_sort(started.begin(), started.end(), [&](size_t a, size_t b) {
    const bool active_a = tasks[a].phase == Phase::kActive;
    const bool active_b = tasks[b].phase == Phase::kActive;
    if (active_a != active_b) return active_a;
    return tasks[a].last_active > tasks[b].last_active;
  });
  if (static_cast<int>(started.size()) > limit) started.resize(std::max(0, limit));
  std::sort(started.begin(), started.end());
  return started;
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "--";
  const long whole = static_cast<long>(seconds);
  char text[32];
  if (whole < 3600) {
    std::snprintf(text, sizeof(text), "%ldm%02lds", whole / 60, whole % 60);
  } else {
    std::snprintf(text, sizeof(text), "%ldh%02ldm", whole / 3600, whole % 3600 / 60);
  }
  return text;
}

std::string FormatBest(double best, double flops, const std::string& unit, bool brief) {
  if (std::isnan(best)) return "no success yet";
  char text[96];
  if (flops > 0 && brief) {
    std::snprintf(text, sizeof(text), "best %.1f GFLOP/s", flops / best / 1e6);
  } else if (flops > 0) {
    std::snprintf(text, sizeof(text), "best %.1f GFLOP/s (%.4g ms)", flops / best / 1e6, best);
  } else {
    std::snprintf(text, sizeof(text), "best %.4g %s", best, unit.c_str());
  }
  return text;
}

std::string FitColumns(const std::string& text, int columns) {
  std::string fitted;
  int used = 0;
  for (const std::string& point : CodePoints(text)) {
    if (used == columns) break;
    fitted += point;
    ++used;
  }
  return fitted;
}

std::vector<std::string> RenderProgress(const ProgressSnapshot& snapshot, int width,
                                        int max_task_bars) {
  const std::vector<size_t> shown = ShownTasks(snapshot.tasks, max_task_bars);
  const std::string overall = "all";
  int label_columns = Columns(overall);
  for (size_t i : shown) label_columns = std::max(label_columns, Columns(snapshot.tasks[i].label));
  label_columns = std::min(label_columns, std::clamp(width / 4, 6, 24));

  std::vector<BarLine> plans;
  for (size_t i : shown) {
    const ProgressTaskView& task = snapshot.tasks[i];
    plans.push_back(
        PlanLine(task.label, label_columns, task.done, task.total, TaskSuffixes(task), width));
  }
  plans.push_back(PlanLine(overall, label_columns, snapshot.done, snapshot.total,
                           OverallSuffixes(snapshot), width));
  std::vector<std::string> lines = DrawLines(plans);
  const std::string overall_line = lines.back();
  lines.pop_back();
  const int hidden = static_cast<int>(snapshot.tasks.size() - shown.size());
  if (hidden > 0) {
    int waiting = 0, active = 0;
    for (const ProgressTaskView& task : snapshot.tasks)
      if (task.phase == Phase::kWaiting) ++waiting;
    for (size_t i = 0; i < snapshot.tasks.size(); ++i)
      if (snapshot.tasks[i].phase == Phase::kActive &&
          !std::binary_search(shown.begin(), shown.end(), i))
        ++active;
    char text[128];
    std::snprintf(text, sizeof(text), "+ %d more tasks: %d active, %d tuned, %d waiting", hidden,
                  active, hidden - waiting - active, waiting);
    lines.push_back(FitColumns(text, std::max(0, width - 1)));
  }
  lines.push_back(overall_line);
  return lines;
}

std::string TaskProgressLine(const ProgressTaskView& task) {
  return "[" + task.label + "] " + std::to_string(task.done) + "/" + std::to_string(task.total) +
         " trials, " + FormatBest(task.best, task.flops, task.unit) + ", " +
         EtaText(task.eta_seconds);
}

std::string OverallProgressLine(const ProgressSnapshot& snapshot) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "text" + std::to_string().
  std::string line = "[all] ";
  line += std::to_string(snapshot.done);
  if (snapshot.total > 0) {
    line += '/';
    line += std::to_string(snapshot.total);
    line += " measurements (";
    line += std::to_string(100 * std::min(snapshot.done, snapshot.total) / snapshot.total);
    line += "%)";
  } else {
    line += " measurements";
  }
  line += ", ";
  if (snapshot.show_best) {
    line += FormatBest(snapshot.best, snapshot.flops, snapshot.unit);
  } else {
    int tuned = 0;
    for (const ProgressTaskView& task : snapshot.tasks)
      if (task.phase != Phase::kWaiting) ++tuned;
    line += std::to_string(tuned);
    line += '/';
    line += std::to_string(snapshot.tasks.size());
    line += " tasks";
  }
  line += ", elapsed ";
  line += FormatDuration(snapshot.elapsed_seconds);
  line += ", ";
  line += EtaText(snapshot.eta_seconds);
  return line;
}

}  // namespace tessel
