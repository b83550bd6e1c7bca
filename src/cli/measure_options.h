// How a tune measures, from the command line's flags: the schedule problem's measurer options,
// and the memory limit of the quant problem's own process.
#pragma once

#include <cstdint>

#include "cli/commands.h"
#include "problems/schedule/local_measurer.h"

namespace tessel::cli {

// The measurer's options from the flags (0 threads: all cores; 0 build jobs: cores + 1; memory
// limit "auto": memory / (build jobs + 1)). Throws tessel::Error for a bad value.
LocalMeasurerOptions MeasureOptions(const MeasureFlags& flags, uint64_t seed);

// The address-space limit for a problem that trains and evaluates in this process, one
// evaluation at a time: --memory-limit as given, half the machine's memory for "auto".
uint64_t QuantMemoryLimit(const MeasureFlags& flags);

}  // namespace tessel::cli
