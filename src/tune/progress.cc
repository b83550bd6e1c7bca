#include "tune/progress.h"

#include "tune/progress_display.h"

namespace tessel {

ProgressLine::ProgressLine(std::string label, int total, double flops, std::string unit,
                           bool enabled) {
  if (!enabled) return;
  display_ = ActiveProgress();
  if (!display_) {
    owned_ = std::make_unique<ProgressDisplay>(ProgressOptions{});
    display_ = owned_.get();
  }
  task_ = display_->BeginRound(label, total, flops, unit);
}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Update(int done, double best_value) {
  if (display_) display_->Update(task_, done, best_value);
}

void ProgressLine::Finish() {
  if (!display_) return;
  display_->EndRound(task_);
  if (owned_) owned_->Close();
  display_ = nullptr;
}

}  // namespace tessel
