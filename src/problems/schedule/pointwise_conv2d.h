// Pointwise convolution (1x1, no padding, ungrouped: MobileNet's and SqueezeNet's channel
// mixers, ResNet's strided shortcuts) as a matrix product, its own algorithm. With the pixels of a
// plane flattened into one dimension p, the layer is out(p, k) = sum_c W(k, c) * in(p, c): a GEMM
// whose operands are the NCHW tensors as they are, so nothing is repacked but the weights (once, at
// build time). The direct template tiles rows and columns separately, so on 7- to 28-wide
// planes its vectors along a row are mostly tails; here they run along the flattened plane, as
// in the GEMM micro-kernels of BLIS and oneDNN's 1x1 convolutions:
//
//   - a register tile of `rows` output channels x `cols` vectors of pixels, accumulated in
//     registers over all input channels with each weight broadcast and each input vector
//     loaded once per channel, for rows x cols multiply-adds, then stored once;
//   - a cache tile of `tiles_k` register tiles of channels x `tiles_p` register tiles of
//     pixels, the unit of parallel work: its register tiles share rows of weights and columns
//     of input;
//   - with `block_c`, the input channels are swept in blocks, outermost in the cache tile, so
//     that the block of input and weights its register tiles share stays in L1; each register
//     tile then adds its sum over a block to the cache tile's accumulators in memory;
//   - weights are packed so that a register tile's `rows` weights of one input channel are
//     adjacent, and zero-padded to a whole cache tile: the last channel tile is cut short
//     only where it is stored.
//   - with `pack`, a cache tile's input is first copied into panels of one register tile's
//     pixels x all channels, so that each register tile reads one sequential stream (in NCHW
//     a channel's row is a plane apart, and planes of 49 to 3136 pixels are rarely aligned to
//     cache lines), as BLIS packs its B operand.
// In NHWC (a network kept channels-last) only vectors along output channels apply, and their
// stores are dense; a tile's pixels are contiguous rows of channels, so packing is for strided
// layers.
// A strided layer reads its pixels through the panels, which gather them (a pass over a
// quarter of the input at stride 2, repaid over the tile's channels).
// A plane that the pixel tile does not divide shifts its last cache tile inwards (it
// recomputes a few pixels), or with `pack` guards its stores (the panels are zero past the
// plane); nothing is read outside the input.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "problems/schedule/loop_nest.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

namespace tessel {

// 1x1 kernel, no padding, one group, an output plane of at least one narrowest vector (4
// pixels), any stride, batch and channel counts.
bool PointwiseApplies(const Conv2dShape& shape);

struct PointwiseSchedule {
  int vec = 8;        // lanes of a vector
  int rows = 4;       // broadcast operands in the register tile: channels, or pixels (below)
  int cols = 3;       // vectors in the register tile: of pixels, or of channels (below)
  int tiles_p = 4;    // register tiles of pixels per cache tile
  int tiles_k = 4;    // register tiles of channels per cache tile
  bool pack = false;  // read the input from packed panels (below)
  int block_c = 0;    // input channels per reduction block; 0: all
  // Vectors along output channels instead of pixels: the register tile is `cols` vectors of
  // channels x `rows` pixels, whose inputs are broadcast and weights loaded as vectors, as
  // oneDNN's blocked 1x1 kernels do. On 7x7 planes (49 pixels) vectors along pixels compute
  // up to half again as many; output channels come in multiples of 8.
  bool channel_vectors = false;

  // Pixels and output channels of a register tile.
  int64_t tile_pixels() const { return channel_vectors ? rows : int64_t{vec} * cols; }
  int64_t tile_channels() const { return channel_vectors ? int64_t{vec} * cols : rows; }
  int64_t pixels_per_tile() const { return tile_pixels() * tiles_p; }
  int64_t channels_per_tile() const { return tile_channels() * tiles_k; }
};

// The knobs' choices for a shape (each starts with its first value, kept on any shape).
std::vector<int64_t> PointwiseRowChoices();
std::vector<int64_t> PointwiseColChoices();
std::vector<int64_t> PointwiseTileChoices();
std::vector<int64_t> PointwiseBlockChoices(const Conv2dShape& shape);

// The vector registers a register tile must fit in: AVX-512's 32 of 16 lanes on hosts that have
// it, else AVX2's 16 of 8 (where a 16-lane vector takes two). A vector of fewer lanes takes one.
struct VectorRegisterFile {
  int registers;
  int lanes;
};
VectorRegisterFile HostVectorRegisters();

// Whether the schedule suits the shape: it packs panels if the layer is strided, its register
// tile's accumulators and operands fit in HostVectorRegisters(), its pixel tile fits in
// the plane, its channel tile is no larger than the channels rounded up to a register tile,
// and its reduction block is smaller than the input channels.
bool PointwiseScheduleFits(const Conv2dShape& shape, const PointwiseSchedule& schedule);

// A schedule that does well across MobileNet's pointwise layers, for the template's default;
// it fits every shape the kernel applies to.
PointwiseSchedule DefaultPointwiseSchedule(const Conv2dShape& shape);

// Builds the kernel over input and output in shape.layout, (k, c, 1, 1) weights, with the layer's
// epilogue. May throw Halide::Error.
std::unique_ptr<Kernel> BuildPointwiseConv2d(const Conv2dShape& shape,
                                             const PointwiseSchedule& schedule,
                                             const LayerBinding& layer);

// The loop nest of the update stage inside its cache tile, for loop features.
LoopNest DescribePointwiseLoops(const Conv2dShape& shape, const PointwiseSchedule& schedule);

}  // namespace tessel
