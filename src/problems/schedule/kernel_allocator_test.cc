#include "problems/schedule/kernel_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace tessel {
namespace {

constexpr size_t kLarge = size_t{4} << 20;

class KernelAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override { ReleaseKernelMemoryCache(); }
  void TearDown() override {
    SetKernelMemoryCacheLimit(size_t{1} << 30);
    ReleaseKernelMemoryCache();
  }
};

TEST_F(KernelAllocatorTest, BlocksAreAlignedAndWritable) {
  for (size_t bytes : {size_t{1}, size_t{1000}, kLarge + 3}) {
    void* memory = KernelMalloc(nullptr, bytes);
    ASSERT_NE(memory, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(memory) % kKernelAllocationAlignment, 0u);
    std::memset(memory, 0xab, bytes);
    KernelFree(nullptr, memory);
  }
  KernelFree(nullptr, nullptr);
}

TEST_F(KernelAllocatorTest, AFreedLargeBlockServesTheNextRequestOfItsSize) {
  void* first = KernelMalloc(nullptr, kLarge);
  KernelFree(nullptr, first);
  EXPECT_EQ(KernelMemoryCached(), kLarge);
  // Rounded to the alignment, as Halide's sizes of one buffer are from run to run.
  void* again = KernelMalloc(nullptr, kLarge - 5);
  EXPECT_EQ(again, first);
  EXPECT_EQ(KernelMemoryCached(), 0u);
  void* other = KernelMalloc(nullptr, 2 * kLarge);
  EXPECT_NE(other, first);
  KernelFree(nullptr, again);
  KernelFree(nullptr, other);
  EXPECT_EQ(KernelMemoryCached(), 3 * kLarge);
  ReleaseKernelMemoryCache();
  EXPECT_EQ(KernelMemoryCached(), 0u);
}

TEST_F(KernelAllocatorTest, SmallBlocksAreNotKept) {
  void* small = KernelMalloc(nullptr, 4096);
  KernelFree(nullptr, small);
  EXPECT_EQ(KernelMemoryCached(), 0u);
}

TEST_F(KernelAllocatorTest, TheCacheKeepsNoMoreThanItsLimit) {
  SetKernelMemoryCacheLimit(kLarge + kLarge / 2);
  void* a = KernelMalloc(nullptr, kLarge);
  void* b = KernelMalloc(nullptr, kLarge);
  KernelFree(nullptr, a);
  KernelFree(nullptr, b);  // over the limit: given back
  EXPECT_EQ(KernelMemoryCached(), kLarge);
}

}  // namespace
}  // namespace tessel
