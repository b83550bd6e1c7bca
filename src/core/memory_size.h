// Sizes of memory as users write them ("512M", "8G", "1.5G"; a bare number is bytes) and the
// machine's physical memory, for limits such as --memory-limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessel {

// Bytes of `text`: a number with an optional suffix K, M, G or T (powers of 1024, an optional
// trailing 'B' or 'iB'). Throws ConfigError naming `flag` for anything else, for a size beyond
// 2^62 bytes, and for one that is not 0 but rounds down to 0 bytes (0 means "no limit" to the
// flags that take a size, and only a literal 0 may say so).
uint64_t ParseMemorySize(std::string_view text, std::string_view flag);

// "512 MiB", "8.0 GiB": for messages.
std::string FormatMemorySize(uint64_t bytes);

// The memory this process may use, in bytes: the machine's physical memory, or its control
// group's limit when that is lower (a container's: cgroup v2 memory.max, v1
// memory.limit_in_bytes). 0 when neither can be read.
uint64_t UsableMemoryBytes();

// The address space this process maps now (/proc/self/statm), 0 when it cannot be read.
uint64_t AddressSpaceInUse();

// Lets this process map at most `bytes` more address space than it maps now (RLIMIT_AS's soft
// limit; 0: no limit), so that an allocation beyond it fails (std::bad_alloc, a null malloc)
// instead of exhausting the machine. What the process already maps (libraries, thread stacks,
// what a forked child inherits) does not count against `bytes`. Never raises a lower limit set
// before (`ulimit -v`). Does nothing under AddressSanitizer, whose shadow memory needs
// terabytes of address space.
void LimitAddressSpaceGrowth(uint64_t bytes);
// False under AddressSanitizer, where LimitAddressSpaceGrowth does nothing.
bool AddressSpaceCanBeLimited();

}  // namespace tessel
