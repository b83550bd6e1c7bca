// What a measurement's numbers depend on besides the configuration: the CPU model, the ISA
// features the kernels are compiled for, and the thread count. Records carry this so that
// they are never applied to another machine or thread count.
#pragma once

#include <string>

namespace tessel {

// Canonical JSON text {"cpu":...,"isa":...,"threads":N} for the host.
std::string HostTargetKey(int threads);

}  // namespace tessel
