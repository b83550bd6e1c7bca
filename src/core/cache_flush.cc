#include "core/cache_flush.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tessel {

void EvictFromCaches(const void* data, size_t bytes) {
#if defined(__x86_64__) || defined(__i386__)
  constexpr uintptr_t kLine = 64;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(kLine - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(data) + bytes;
  for (uintptr_t line = begin; line < end; line += kLine)
    _mm_clflush(reinterpret_cast<const void*>(line));
  _mm_mfence();
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace tessel
