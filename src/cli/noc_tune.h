// `tessel tune` with a routing agent (q-learning, sarsa, expected-sarsa) on the noc problem.
#pragma once

#include <string>

#include "cli/commands.h"

namespace tessel::cli {

// True when `tuner` names one of the routing agents rather than a preset.
bool IsRoutingAgent(const std::string& tuner);

// Trains the agent over the selected load states, records every simulation and prints the
// learned policy. Throws tessel::Error for options that do not fit.
int RunRoutingAgentTune(const TuneCommandOptions& options);

}  // namespace tessel::cli
