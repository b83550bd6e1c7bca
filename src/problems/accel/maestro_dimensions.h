// The vocabulary of the MAESTRO model (docs/maestro_model.md 0, 2.1, 2.2): MAESTRO's integer
// arithmetic, its dimension names, its name-keyed dimension tables and the three tensors of a
// convolution. Everything here is small and allocation-free, because the search evaluates
// whole networks tens of thousands of times.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <utility>

#include "core/error.h"
#include "problems/accel/layer_table.h"

namespace tessel::maestro {

// docs/maestro_model.md 0: C++ integer division, truncating toward zero also for negative
// dividends (MAESTRO's edge sizes can go negative, 3.2), and the ceiling built on it.
inline int64_t TruncDiv(int64_t a, int64_t b) { return a / b; }
inline int64_t CeilDiv(int64_t a, int64_t b) { return a / b + (a % b != 0 ? 1 : 0); }

// A list with a fixed capacity, kept inline: directive lists, clusters and iteration states
// are a handful of entries each, and the analysis builds them for every layer evaluation.
template <typename T, int kCapacity>
class FixedList {
 public:
  void push_back(const T& value) {
    TESSEL_CHECK(size_ < kCapacity) << "FixedList capacity " << kCapacity << " exceeded";
    items_[size_++] = value;
  }
  void insert_front(const T& value) {
    push_back(value);
    for (int i = size_ - 1; i > 0; --i) std::swap(items_[i], items_[i - 1]);
  }
  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](int i) { return items_[i]; }
  const T& operator[](int i) const { return items_[i]; }
  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  const T& back() const { return items_[size_ - 1]; }

 private:
  std::array<T, kCapacity> items_{};
  int size_ = 0;
};

// MAESTRO's dimension names, declared in the byte order of the std::string keys of its
// std::map tables (C, K, R, S, X, X', Y, Y'; docs/maestro_model.md 2.1), the order of its
// sorted variable lists. kXOut and kYOut are X' and Y'.
enum class Dim : uint8_t { kC, kK, kR, kS, kX, kXOut, kY, kYOut };
inline constexpr int kNumDims = 8;
inline constexpr int DimIndex(Dim dim) { return static_cast<int>(dim); }

// The convolution's overlap pairs (docs/maestro_model.md 2.1): an output-centric dimension
// (X', Y') is its reference dimension (X, Y) minus its sliding one (S, R) plus one.
inline bool IsReferenceDim(Dim dim) { return dim == Dim::kX || dim == Dim::kY; }
inline Dim SlidingDimOf(Dim reference) { return reference == Dim::kX ? Dim::kS : Dim::kR; }
inline Dim OutputDimOf(Dim reference) { return reference == Dim::kX ? Dim::kXOut : Dim::kYOut; }

// One of MAESTRO's std::map<std::string, int> tables keyed by dimension name. A name that was
// never set reads as 0, as std::map::operator[] would give (docs/maestro_model.md 3.2,
// quirk); Has() is the membership test that GetMappedVolume uses (4.7). Unlike operator[],
// reading does not insert the name: the only membership test asks about tensor variables,
// which every cluster maps (2.4, unrolling), so the insertion could never show.
class DimTable {
 public:
  int64_t operator[](Dim dim) const { return values_[DimIndex(dim)]; }
  bool Has(Dim dim) const { return (present_ >> DimIndex(dim)) & 1u; }
  void Set(Dim dim, int64_t value) {
    values_[DimIndex(dim)] = value;
    present_ |= static_cast<uint8_t>(1u << DimIndex(dim));
  }
  bool operator==(const DimTable&) const = default;

 private:
  std::array<int64_t, kNumDims> values_{};
  uint8_t present_ = 0;
};

// The layer's dimension table (docs/maestro_model.md 2.1): K, C, Y, X, R, S as given plus
// X' = X - S + 1 and Y' = Y - R + 1 (stride 1, no padding).
DimTable LayerDimensions(const AccelLayer& layer);

// The variables a tensor is coupled to, in MAESTRO's order for that tensor (2.2).
class TensorVars {
 public:
  TensorVars(std::initializer_list<Dim> dims);
  const Dim* begin() const { return dims_.data(); }
  const Dim* end() const { return dims_.data() + count_; }
  bool Contains(Dim dim) const { return (mask_ >> DimIndex(dim)) & 1u; }

 private:
  std::array<Dim, kNumDims> dims_{};
  int count_ = 0;
  uint8_t mask_ = 0;
};

// MAESTRO's data classes, in the order of its access-count arrays (BASE_constants.hpp).
enum class TensorClass : uint8_t { kInput, kFilter, kOutput };
inline constexpr int kNumTensors = 3;

// The three tensors of a layer (docs/maestro_model.md 2.2, ConfigConvTensors): the input
// tensors are the input and the filter, in that order; the output tensor is coupled to the
// input-centric Y and X (quirk), translated to Y', X' only where section 4 says so.
struct TensorSet {
  TensorVars input, filter, output;
  // The sorted, deduplicated variables of the input tensors (input and filter), which
  // AnalyzeClusters uses to unroll missing directives and to build lower dimension tables.
  TensorVars sorted_input_vars;

  const TensorVars& Vars(TensorClass tensor) const;
};
const TensorSet& TensorsOf(AccelLayerType type);

}  // namespace tessel::maestro
