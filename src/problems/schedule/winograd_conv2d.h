// Winograd's minimal filtering for 3x3 stride-1 convolutions ("Fast Algorithms for
// Convolutional Neural Networks", Lavin and Gray, 2016), the algorithm oneDNN and TVM offer
// beside direct convolution for these layers. F(m x m, 3 x 3) computes each m x m output tile
// from an (m + 2) x (m + 2) input tile with (m + 2)^2 multiplications per input channel where
// direct convolution needs 9 m^2: 2.25x fewer for m = 2, 4x fewer for m = 4.
//
// Three stages, as oneDNN's and TVM's CPU implementations:
//   1. input transform  V[e](t, c) = (B^T d B)[e] for every tile t, channel c and position e
//      of the transformed tile;
//   2. a batched matrix product  M[e](k, t) = sum over c of U[e](k, c) V[e](t, c), one per
//      position e, where U = G g G^T are the transformed weights, computed once when the kernel
//      is built (weights are constants at inference, as oneDNN caches them);
//   3. output transform  Y = A^T M A, with the layer's epilogue (bias, residual, ReLU).
// The product holds almost all the arithmetic; it is blocked as the direct template's NCHWc
// layout: vectors run along output channels over a register tile of tiles. On NCHW the input
// transform runs over vectors of neighbouring tiles; on NHWC (shape.layout) over vectors of
// channels, and the transformed input is stored channels innermost.
//
// The transforms cost precision: F(4x4, 3x3)'s matrices have entries up to 8 and 1/24, so its
// rounding error is about ten times direct convolution's; tests bound it against the reference.
#pragma once

#include <memory>

#include "problems/schedule/loop_nest.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

namespace tessel {

// Winograd applies to 3x3, stride-1, ungrouped convolutions.
bool WinogradApplies(const Conv2dShape& shape);

struct WinogradSchedule {
  int m = 2;                    // output tile size: F(m x m, 3 x 3), 2 or 4
  int64_t k_inner = 8;          // output channels in the register tile (a multiple of vec)
  int t_inner = 4;              // tiles in the register tile
  int vec = 8;                  // vector width along output channels
  bool parallel_tiles = false;  // also parallelise over blocks of tiles, not only (e, k blocks)
};

// Builds the kernel for `shape` computing `padded_k` output channels (a multiple of
// schedule.k_inner; those beyond shape.k have zero weights and are not stored). May throw
// Halide::Error.
std::unique_ptr<Kernel> BuildWinogradConv2d(const Conv2dShape& shape, int64_t padded_k,
                                            const WinogradSchedule& schedule,
                                            const LayerBinding& layer);

// The batched product's loop nest (where almost all the time goes), for loop features.
LoopNest DescribeWinogradLoops(const Conv2dShape& shape, int64_t padded_k,
                               const WinogradSchedule& schedule);

}  // namespace tessel
