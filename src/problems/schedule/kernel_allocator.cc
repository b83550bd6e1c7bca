#include "problems/schedule/kernel_allocator.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace tessel {

namespace {

// Blocks below this come and go through glibc's heap, which reuses them itself.
constexpr size_t kCachedMinBytes = size_t{1} << 20;

[[noreturn]] void AbortOnAllocationFailure(size_t bytes) {
  std::fprintf(stderr, "tessel: a kernel could not allocate %zu bytes: out of memory\n", bytes);
  std::abort();
}

std::atomic<AllocationFailureHandler> allocation_failure_handler{AbortOnAllocationFailure};

// Freed blocks by size. Halide allocates from its worker threads too, hence the lock; only
// blocks of kCachedMinBytes or more take it.
class BlockCache {
 public:
  void* Take(size_t bytes) {
    std::lock_guard lock(mutex_);
    auto found = free_.find(bytes);
    if (found == free_.end()) return nullptr;
    void* block = found->second;
    free_.erase(found);
    cached_ -= bytes;
    return block;
  }

  // False when keeping the block would take the cache over its limit: the caller frees it.
  bool Keep(void* block, size_t bytes) {
    std::lock_guard lock(mutex_);
    if (cached_ + bytes > limit_) return false;
    free_.emplace(bytes, block);
    cached_ += bytes;
    return true;
  }

  void Release() {
    std::multimap<size_t, void*> blocks;
    {
      std::lock_guard lock(mutex_);
      blocks.swap(free_);
      cached_ = 0;
    }
    for (const auto& [bytes, block] : blocks) std::free(block);
  }

  size_t Cached() {
    std::lock_guard lock(mutex_);
    return cached_;
  }

  void SetLimit(size_t bytes) {
    std::lock_guard lock(mutex_);
    limit_ = bytes;
  }

 private:
  std::mutex mutex_;
  std::multimap<size_t, void*> free_;
  size_t cached_ = 0;
  size_t limit_ = size_t{1} << 30;
};

// Never destroyed: kernels may free their buffers while the process exits.
BlockCache& Cache() {
  static BlockCache* cache = new BlockCache;
  return *cache;
}

// A block is its size, in a header of one alignment unit, then the memory Halide sees.
void* Payload(void* block) { return static_cast<char*>(block) + kKernelAllocationAlignment; }
void* BlockOf(void* payload) { return static_cast<char*>(payload) - kKernelAllocationAlignment; }

}  // namespace

void SetAllocationFailureHandler(AllocationFailureHandler handler) {
  allocation_failure_handler = handler ? handler : AbortOnAllocationFailure;
}

void* KernelMalloc(Halide::JITUserContext*, size_t bytes) {
  const size_t rounded =
      std::max<size_t>((bytes + kKernelAllocationAlignment - 1) / kKernelAllocationAlignment *
                           kKernelAllocationAlignment,
                       kKernelAllocationAlignment);
  if (rounded >= kCachedMinBytes)
    if (void* block = Cache().Take(rounded)) return Payload(block);
  const size_t total = rounded + kKernelAllocationAlignment;
  void* block = std::aligned_alloc(kKernelAllocationAlignment, total);
  if (!block) {
    // What the cache holds may be what is missing.
    Cache().Release();
    block = std::aligned_alloc(kKernelAllocationAlignment, total);
  }
  if (!block) {
    allocation_failure_handler.load()(bytes);
    std::abort();  // a handler that returned
  }
  *static_cast<size_t*>(block) = rounded;
  return Payload(block);
}

void KernelFree(Halide::JITUserContext*, void* memory) {
  if (!memory) return;
  void* block = BlockOf(memory);
  const size_t rounded = *static_cast<size_t*>(block);
  if (rounded >= kCachedMinBytes && Cache().Keep(block, rounded)) return;
  std::free(block);
}

size_t KernelMemoryCached() { return Cache().Cached(); }

void SetKernelMemoryCacheLimit(size_t bytes) { Cache().SetLimit(bytes); }

void ReleaseKernelMemoryCache() { Cache().Release(); }

}  // namespace tessel
