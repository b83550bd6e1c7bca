// Sizes of memory as users write them ("512M", "8G", "1.5G"; a bare number is bytes) and the
// machine's physical memory, for limits such as --memory-limit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tessel {

// Bytes of `text`: a number with an optional suffix K, M, G or T (powers of 1024, an optional
// trailing 'B' or 'iB'). Throws ConfigError naming `flag` for anything else or for a size
// beyond 2^62 bytes.
uint64_t ParseMemorySize(std::string_view text, std::string_view flag);

// "512 MiB", "8.0 GiB": for messages.
std::string FormatMemorySize(uint64_t bytes);

// The machine's physical memory in bytes (sysconf), 0 when it cannot be read.
uint64_t PhysicalMemoryBytes();

// Limits this process's address space (RLIMIT_AS) to `bytes` (0: no limit), so that an
// allocation beyond it fails (std::bad_alloc, a null malloc) instead of exhausting the machine.
// Does nothing under AddressSanitizer, whose shadow memory needs terabytes of address space.
void LimitAddressSpace(uint64_t bytes);
// False under AddressSanitizer, where LimitAddressSpace does nothing.
bool AddressSpaceCanBeLimited();

}  // namespace tessel
