// What identifies a task in the records: which problem, which instance of it, on which target,
// evaluated by what (and which version of it). Records carry this key so that they are never
// applied to another machine, another instance or an older evaluator.
#pragma once

#include <string>

namespace tessel {

struct ProblemKey {
  std::string problem;   // "schedule", "replay", ...
  std::string instance;  // the problem's own text for the instance ("conv2d:c=64,...")
  std::string target;    // what the evaluation depends on besides the configuration (JSON text)
  std::string evaluator;
  int evaluator_version = 1;

  bool operator==(const ProblemKey&) const = default;
};

}  // namespace tessel
