// A first-in first-out queue on one growable ring of slots, for the simulator's source queues:
// it allocates only when it doubles, never per element, and keeps its slots when emptied.
#pragma once

#include <cstddef>
#include <vector>

#include "core/error.h"

namespace tessel::noc {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  const T& front() const {
    TESSEL_CHECK(size_ > 0) << "front of an empty queue";
    return slots_[head_];
  }

  void push_back(const T& value) {
    if (size_ == slots_.size()) Grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = value;
    ++size_;
  }

  void pop_front() {
    TESSEL_CHECK(size_ > 0) << "pop from an empty queue";
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }

 private:
  // Doubling keeps the capacity a power of two, so that wrapping is a mask.
  void Grow() {
    std::vector<T> larger(slots_.empty() ? 8 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) larger[i] = slots_[(head_ + i) & (slots_.size() - 1)];
    slots_.swap(larger);
    head_ = 0;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace tessel::noc
