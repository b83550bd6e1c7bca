// Knobs that several schedule templates share, so that they mean the same in every space.
#pragma once

#include <string>

#include "space/space.h"

namespace tessel {

// TVM's auto_unroll_max_step: the largest total extent of reduction loops to unroll.
inline Knob AutoUnrollKnob() {
  return {"auto_unroll_max_step", {int64_t{0}, int64_t{16}, int64_t{64}, int64_t{512}}};
}

// Whether the unrolling above is done by the template (1) or left to LLVM (0).
inline Knob UnrollExplicitKnob() { return {"unroll_explicit", {int64_t{0}, int64_t{1}}}; }

// Lanes per vector instruction: SSE, AVX2 and AVX-512 widths for fp32.
inline Knob VectorWidthKnob() { return {"vec", {int64_t{4}, int64_t{8}, int64_t{16}}}; }

// The extent a template computes along its vectorised output dimension: rounded up to a
// multiple of the narrowest vector, so that every layer has vectorised schedules. An extent
// already a multiple of 4 is kept, and with it the space it always had.
inline int64_t PaddedToNarrowestVector(int64_t extent) { return (extent + 3) / 4 * 4; }

}  // namespace tessel
