// The noc problem's instances, from the command line's task options.
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "tune/tuning.h"

namespace tessel::cli {

// True when the selection gives any of the noc problem's options.
bool HasNocOptions(const TaskSelection& selection);

// One task per traffic pattern x offered load (patterns outermost, loads in the order given),
// labelled "PATTERN@RATE", each a mesh of --mesh (default 8) with --noc's settings. Throws
// tessel::Error naming the option at fault, or saying that --rate is missing.
std::vector<TuningTask> MakeNocTasks(const TaskSelection& selection, uint64_t seed);

// The knob and the traffic patterns, as `tessel problems` lists them.
std::vector<std::string> NocKnobs();

}  // namespace tessel::cli
