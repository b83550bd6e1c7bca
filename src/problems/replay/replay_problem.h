// The replay problem: tuning over a table of configurations measured earlier (a CSV file with
// knob columns and time_ms), instead of real hardware, so that strategies can be compared
// reproducibly and fast. Its objective is the table's time in ms.
#pragma once

#include <string>

#include "engine/problem.h"
#include "problems/replay/replay_measurer.h"

namespace tessel {

class ReplayProblem : public Problem {
 public:
  static constexpr const char* kName = "replay";

  // Reads the table; throws tessel::Error naming what is wrong with the file.
  explicit ReplayProblem(const std::string& csv_path);

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return table_.space(); }
  // Every instance's objective (also what `tessel problems` lists); a table has no metrics.
  static ObjectiveInfo Objective() { return {"time", "ms", true}; }
  static std::vector<MetricInfo> DeclaredMetrics() { return {}; }

  ObjectiveInfo objective() const override { return Objective(); }
  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override {
    return measurer_.Measure(configs);
  }

  // The file's name: the task's label.
  const std::string& file_name() const { return file_name_; }

 private:
  ReplayTable table_;
  ReplayMeasurer measurer_;
  std::string file_name_;
  ProblemKey key_;
};

}  // namespace tessel
