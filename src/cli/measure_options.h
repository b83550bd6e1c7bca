// How a tune measures, from the command line's flags: the flags themselves, the schedule
// problem's measurer options they become, and the memory limit of the quant problem's own
// process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "problems/schedule/local_measurer.h"

namespace CLI {
class App;
}

namespace tessel::cli {

// Adds the measurer's flags (--threads, --repeats, ..., --memory-limit) to a command.
void AddMeasureFlags(CLI::App* command, MeasureFlags& measure);

// The measurer's options from the flags (0 threads: all cores; 0 build jobs: cores + 1; memory
// limit "auto": memory / (build jobs + 1)). Throws tessel::Error for a bad value.
LocalMeasurerOptions MeasureOptions(const MeasureFlags& flags, uint64_t seed);

// The address space a problem that trains and evaluates in this process, one evaluation at a
// time, may map beyond what it maps when it starts: --memory-limit as given, half the memory
// this process may use for "auto". Throws tessel::Error for a limit too small to train.
uint64_t QuantMemoryLimit(const MeasureFlags& flags);

// What a run of `problem` records about this machine (HostToJson): its CPU and caches, and
// the FMA peak on the measurer's threads where the problem times kernels on this CPU.
std::string RunHost(std::string_view problem, const MeasureFlags& flags);

}  // namespace tessel::cli
