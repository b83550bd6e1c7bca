#pragma once

// The heap of the compiled kernels: Halide's intermediate buffers, allocated and freed on every
// run of a kernel.
//
// Blocks of 1 MiB or more are kept when freed and handed out again for the next request of the
// same size, as TVM's runtime keeps its workspace pool. A kernel asks for the same buffers on
// every run; memory fresh from the system costs a page fault per 4 KiB on its first touch, and
// glibc hands such blocks out by mmap and takes them back by munmap, so without the cache each
// run paid for every page again. How much that cost depended on the process's history: a
// Winograd layer of VGG-16 ran in 28 ms in a fresh process and in 13.7 ms in the tuner's forked
// measuring child, whose inherited heap already held the pages; the network runner saw the
// former, the records the latter.

#include <cstddef>

namespace Halide {
struct JITUserContext;
}

namespace tessel {

// Every block's alignment: Halide's own allocator's (halide_malloc_alignment), which its
// vector loads and stores of heap buffers may assume.
inline constexpr size_t kKernelAllocationAlignment = 128;

// Called, on whatever thread the kernel runs, when a kernel's heap allocation fails (after the
// cache has been emptied and the allocation tried again); must not return. The default prints
// one line on stderr and aborts; the measurer's kernel processes report the configuration as
// out of memory and exit.
using AllocationFailureHandler = void (*)(size_t bytes);
void SetAllocationFailureHandler(AllocationFailureHandler handler);

// The kernels' malloc and free, for Pipeline::jit_handlers(): aligned, never null, with the
// null check that KernelTarget leaves out of the compiled code done here.
void* KernelMalloc(Halide::JITUserContext* context, size_t bytes);
void KernelFree(Halide::JITUserContext* context, void* memory);

// The bytes of freed blocks the cache holds now, and the most it holds (1 GiB by default; a
// block that would take it over is given back to the system).
size_t KernelMemoryCached();
void SetKernelMemoryCacheLimit(size_t bytes);

// Gives every cached block back to the system.
void ReleaseKernelMemoryCache();

}  // namespace tessel
