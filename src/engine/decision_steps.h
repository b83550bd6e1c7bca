// A problem whose configuration is a sequence of decisions, one step per part (a network's
// layers, each given its own resources), with the objective and the budgeted quantity adding
// up over the steps. Agents that build a configuration step by step (ConfuciuX's REINFORCE
// agent) need this view: what each step is, which knobs it sets and from which levels, and
// where each step's share of the objective and of the budget is reported in an evaluation's
// metrics, to reward every decision on its own.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "space/space.h"

namespace tessel {

struct DecisionStep {
  // What the step is, as numbers in [0, 1] (a layer's dimensions over the network's maxima):
  // the agent's view of the step.
  std::vector<double> features;
  // The knobs this step sets (indices into the space's knobs) and, per knob, the value indices
  // an agent with a discrete action per knob chooses among (ConfuciuX's 12 levels). Other
  // strategies may use any value of the knob.
  std::vector<size_t> knobs;
  std::vector<std::vector<int32_t>> levels;
  // The metrics holding this step's share of the objective and of the budgeted quantity;
  // a valid evaluation reports both for every step, an invalid one omits those of the steps
  // that made it invalid.
  std::string objective_metric;
  std::string constraint_metric;  // empty when the problem has no budget
};

struct DecisionSteps {
  std::vector<DecisionStep> steps;
  // The limit on the sum of the steps' constraint metrics; infinity when there is none.
  double budget = std::numeric_limits<double>::infinity();
  // The step's share of the budgeted quantity for a configuration, without evaluating it: for
  // strategies that keep their changes within the budget (ConfuciuX's GA mutation). Cheap,
  // deterministic, not counted as an evaluation; null when the problem cannot tell.
  std::function<double(size_t step, const Config& config)> step_constraint;
  // For agents rewarded by quality kept and cost saved, both as states in [0, 1] (ReLeQ): the
  // metrics holding a configuration's quality relative to the unconstrained reference (1 = as
  // good as it; ReLeQ's accuracy state) and its cost relative to the most costly configuration
  // (1 = as costly; ReLeQ's quantization state). Empty when the problem reports neither.
  std::string quality_state_metric;
  std::string cost_state_metric;
};

}  // namespace tessel
