// A schedule's hot loop nest as its template describes it: the loops from outermost to
// innermost with their extents and annotations, and for every buffer the affine map from loop
// variables to its indices. It is what AutoTVM's "itervar" features read from TVM's lowered
// IR; here the template states it, so features cost microseconds instead of a lowering.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace tessel {

enum class LoopKind { kSerial, kParallel, kVectorized, kUnrolled };

struct Loop {
  std::string name;
  int64_t extent = 1;
  LoopKind kind = LoopKind::kSerial;
};

// One buffer read or written in the nest. `dims` are innermost first (as Halide's); the index
// along dimension d is sum over loops l of coefficients[d][l] * (loop l's variable).
struct BufferAccess {
  std::string name;
  int element_bytes = 4;
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> coefficients;  // [dimension][loop]
};

// An access to an activation stored channels-last: `access` describes it in NCHW order
// (innermost first: ..., channel, batch), and the channel dimension moves innermost.
inline BufferAccess ChannelsInnermost(BufferAccess access) {
  const size_t channel = access.dims.size() - 2;
  std::rotate(access.dims.begin(), access.dims.begin() + channel,
              access.dims.begin() + channel + 1);
  std::rotate(access.coefficients.begin(), access.coefficients.begin() + channel,
              access.coefficients.begin() + channel + 1);
  return access;
}

struct LoopNest {
  std::vector<Loop> loops;  // outermost first
  std::vector<BufferAccess> buffers;

  // Appends a loop and returns its position, for use in coefficient rows.
  size_t Add(std::string name, int64_t extent, LoopKind kind = LoopKind::kSerial) {
    loops.push_back({std::move(name), extent, kind});
    return loops.size() - 1;
  }

  // An index expression as coefficients over the loops added so far: sum of coefficient x
  // loop variable for each {loop, coefficient} term.
  std::vector<int64_t> IndexRow(std::initializer_list<std::pair<size_t, int64_t>> terms) const {
    std::vector<int64_t> row(loops.size(), 0);
    for (const auto& [loop, coefficient] : terms) row[loop] += coefficient;
    return row;
  }
};

}  // namespace tessel
