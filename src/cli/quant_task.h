// The quant problem's instance, from the command line's task options.
#pragma once

#include <memory>

#include "cli/commands.h"
#include "problems/quant/quant_problem.h"

namespace tessel::cli {

// The quant problem for --net with its training, split, fine-tuning, bitwidth and objective
// options. Throws tessel::Error naming the option at fault. Trains the network the first time
// (minutes), saying so on stderr.
std::unique_ptr<QuantProblem> MakeQuantProblemFor(const TaskSelection& selection);

}  // namespace tessel::cli
