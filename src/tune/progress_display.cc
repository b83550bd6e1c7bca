#include "tune/progress_display.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/stop_request.h"

namespace tessel {
namespace {

using Phase = ProgressTaskView::Phase;

// Redraws a person can follow and a slow terminal (ssh) keeps up with.
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
// The ticker's period: elapsed time and ETA move while a long batch is measured.
constexpr auto kTickInterval = std::chrono::milliseconds(500);
// Plain lines: one each time a task, or the run, gets this much further (1/20: 5%).
constexpr int kLineSteps = 20;

std::atomic<ProgressDisplay*> active_display{nullptr};

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

bool IsTerminal(FILE* out) {
  const char* term = std::getenv("TERM");
  return isatty(fileno(out)) != 0 && !(term && std::strcmp(term, "dumb") == 0);
}

winsize TerminalSize(FILE* out) {
  winsize size{};
  if (ioctl(fileno(out), TIOCGWINSZ, &size) != 0) size = winsize{};
  return size;
}

}  // namespace

ProgressMode ProgressModeFromName(const std::string& name) {
  if (name == "auto") return ProgressMode::kAuto;
  if (name == "bar") return ProgressMode::kBar;
  if (name == "lines") return ProgressMode::kLines;
  if (name == "none") return ProgressMode::kNone;
  throw ConfigError("--progress must be auto, bar, lines or none, not '" + name + "'");
}

ProgressDisplay::ProgressDisplay(ProgressOptions options)
    : options_(std::move(options)), mode_(options_.mode), total_(options_.total) {
  if (mode_ == ProgressMode::kAuto)
    mode_ = IsTerminal(options_.out) ? ProgressMode::kBar : ProgressMode::kLines;
  for (const std::string& label : options_.labels) tasks_.emplace_back().view.label = label;
}

ProgressDisplay::~ProgressDisplay() { Close(); }

size_t ProgressDisplay::BeginRound(const std::string& label, int count, double flops,
                                   const std::string& unit) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  if (!started_) {
    started_ = true;
    start_ = now;
    if (live() && !closed_) ticker_ = std::thread([this] { Tick(); });
  }
  auto found = std::find_if(tasks_.begin(), tasks_.end(),
                            [&](const Task& task) { return task.view.label == label; });
  if (found == tasks_.end()) {
    tasks_.emplace_back().view.label = label;
    found = tasks_.end() - 1;
  }
  Task& task = *found;
  task.view.total += count;
  task.view.flops = flops;
  task.view.unit = unit;
  task.view.phase = Phase::kActive;
  task.view.last_active = ++activity_;
  task.round_count = count;
  task.round_done = 0;
  task.round_start = now;
  if (live() && !closed_) Draw(true);
  return found - tasks_.begin();
}

void ProgressDisplay::Update(size_t index, int done, double best) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || mode_ == ProgressMode::kNone) return;
  Task& task = tasks_[index];
  task.view.done += done - task.round_done;
  task.round_done = done;
  task.view.best = best;
  task.view.last_active = ++activity_;
  if (live()) return Draw(false);
  const int total = std::max(1, task.view.total);
  if ((task.view.done - task.printed) * kLineSteps >= total || done >= task.round_count) {
    const ProgressSnapshot snapshot = Snapshot(Clock::now());
    std::fprintf(options_.out, "%s\n", TaskProgressLine(snapshot.tasks[index]).c_str());
    std::fflush(options_.out);
    task.printed = task.view.done;
  }
}

void ProgressDisplay::EndRound(size_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  Task& task = tasks_[index];
  const auto now = Clock::now();
  task.seconds += Seconds(now - task.round_start);
  task.view.phase = Phase::kIdle;
  const int left = task.round_count - task.round_done;
  if (left > 0 && !StopRequested()) {
    task.view.total -= left;
    if (total_ > 0) total_ -= left;
  }
  task.round_count = task.round_done = 0;
  if (closed_ || mode_ == ProgressMode::kNone) return;
  if (live()) return Draw(true);
  // A run of many tasks gets an overall line every few percent; one task's line says it all.
  if (tasks_.size() < 2) return;
  const ProgressSnapshot snapshot = Snapshot(now);
  if ((snapshot.done - std::max(0, overall_printed_)) * kLineSteps >= std::max(1, snapshot.total)) {
    std::fprintf(options_.out, "%s\n", OverallProgressLine(snapshot).c_str());
    std::fflush(options_.out);
    overall_printed_ = snapshot.done;
  }
}

void ProgressDisplay::Print(const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (live() && !closed_ && started_) {
    Erase();
    std::fprintf(options_.out, "%s\n", message.c_str());
    Draw(true);
  } else {
    std::fprintf(options_.out, "%s\n", message.c_str());
    std::fflush(options_.out);
  }
}

void ProgressDisplay::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return;
    closed_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  if (!started_ || mode_ == ProgressMode::kNone) return;
  // The final state stays on the stream: the display drawn once more, or the run's line.
  if (live()) return Draw(true);
  const ProgressSnapshot snapshot = Snapshot(Clock::now());
  if (snapshot.done == overall_printed_) return;  // said already, by the last round's end
  std::fprintf(options_.out, "%s\n", OverallProgressLine(snapshot).c_str());
  std::fflush(options_.out);
}

ProgressSnapshot ProgressDisplay::Snapshot(Clock::time_point now) const {
  ProgressSnapshot snapshot;
  int planned = 0;
  for (const Task& task : tasks_) {
    ProgressTaskView view = task.view;
    const bool active = view.phase == Phase::kActive;
    const double seconds = task.seconds + (active ? Seconds(now - task.round_start) : 0);
    if (view.done > 0) view.eta_seconds = seconds / view.done * std::max(0, view.total - view.done);
    snapshot.done += view.done;
    planned += view.total;
    snapshot.tasks.push_back(std::move(view));
  }
  snapshot.total = total_ > 0 ? std::max(total_, snapshot.done) : planned;
  if (tasks_.size() == 1) {
    snapshot.show_best = true;
    snapshot.best = tasks_[0].view.best;
    snapshot.flops = tasks_[0].view.flops;
    snapshot.unit = tasks_[0].view.unit;
  }
  snapshot.elapsed_seconds = started_ ? Seconds(now - start_) : 0;
  if (snapshot.done > 0 && snapshot.total > 0)
    snapshot.eta_seconds =
        snapshot.elapsed_seconds / snapshot.done * std::max(0, snapshot.total - snapshot.done);
  return snapshot;
}

int ProgressDisplay::Width() const {
  if (options_.width > 0) return options_.width;
  const winsize size = TerminalSize(options_.out);
  return size.ws_col > 0 ? size.ws_col : 80;
}

void ProgressDisplay::Erase() {
  // The cursor sits at the start of the line below the display: up to its first line, and
  // everything from there down erased.
  if (lines_on_screen_ > 0) std::fprintf(options_.out, "\r\033[%dA\033[J", lines_on_screen_);
  lines_on_screen_ = 0;
}

void ProgressDisplay::Draw(bool force) {
  const auto now = Clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  // A display taller than the terminal could not be moved back over: a few bars at most.
  const int rows = TerminalSize(options_.out).ws_row;
  const int max_bars = std::clamp((rows > 0 ? rows : 24) - 3, 1, 8);
  const std::vector<std::string> lines = RenderProgress(Snapshot(now), Width(), max_bars);
  std::string text;
  if (lines_on_screen_ > 0) text = "\r\033[" + std::to_string(lines_on_screen_) + "A\033[J";
  for (const std::string& line : lines) text += line + "\n";
  // One write per frame: a half-drawn frame is never on the screen for long.
  std::fwrite(text.data(), 1, text.size(), options_.out);
  std::fflush(options_.out);
  lines_on_screen_ = static_cast<int>(lines.size());
}

void ProgressDisplay::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kTickInterval, [this] { return closed_; })) Draw(false);
}

ProgressSession::ProgressSession(ProgressOptions options)
    : display_(std::move(options)), previous_(active_display.exchange(&display_)) {}

ProgressSession::~ProgressSession() {
  active_display.store(previous_);
  display_.Close();
}

ProgressDisplay* ActiveProgress() { return active_display.load(); }

void PrintAboveProgress(const std::string& message) {
  if (ProgressDisplay* display = ActiveProgress()) return display->Print(message);
  std::fprintf(stderr, "%s\n", message.c_str());
}

}  // namespace tessel
