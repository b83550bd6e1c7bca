// The Measurer role inside the problems that time things (the schedule problem on this CPU,
// the replay table): turns a batch of configurations into measured results. Failures are
// values (status + message), never exceptions, so a tuning run always goes on.
#pragma once

#include <vector>

#include "engine/evaluation.h"
#include "space/space.h"

namespace tessel {

class Measurer {
 public:
  virtual ~Measurer() = default;
  // One result per configuration, in order. Every configuration is valid in the task's space.
  virtual std::vector<Evaluation> Measure(const std::vector<Config>& configs) = 0;
  // Wall seconds the last Measure spent building kernels: less than the sum of their compile
  // times when they are built in parallel. Negative when the measurer does not know, and then
  // the sum of compile_ms stands for it.
  virtual double last_build_seconds() const { return -1; }
};

}  // namespace tessel
