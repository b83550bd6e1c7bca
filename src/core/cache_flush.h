// Evicting memory from the CPU's caches, to time code as it runs when its data was last
// touched long ago: a network layer's weights, read once per inference, arrive from memory.
#pragma once

#include <cstddef>

namespace tessel {

// Writes back and invalidates every cache line of [data, data + bytes) in every cache level
// (x86's clflush), and waits until that is done. Elsewhere, does nothing.
void EvictFromCaches(const void* data, size_t bytes);

}  // namespace tessel
