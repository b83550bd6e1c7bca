// Work sharing over independent items: a few threads each take the next index as they finish
// one, so that uneven items (simulations near saturation take ten times longer) still balance.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace tessel {

// Runs body(i) once for every i in [0, count) on up to `workers` threads, the calling one
// included (0: this machine's cores). Results must not depend on which thread runs an item.
inline void ParallelFor(size_t count, size_t workers, const std::function<void(size_t)>& body) {
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, count);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < count;) body(i);
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace tessel
