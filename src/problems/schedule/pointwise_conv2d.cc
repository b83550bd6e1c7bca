#include "problems/schedule/pointwise_conv2d.h"

#include <algorithm>

#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/template_knobs.h"

namespace tessel {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::TailStrategy;
using Halide::Var;

// Vector registers a register tile may use: AVX2's 16. Its accumulators, its input vectors and
// the broadcast weight must fit, or LLVM spills accumulators inside the reduction, which
// measured 2-3x slower (3 x 4 against 4 x 3 on MobileNet's 14x14 layer). A 16-lane vector
// takes two of AVX2's registers. (AVX-512 has 32; its hosts keep this AVX2 budget.)
constexpr int kVectorRegisters = 16;

int RegistersNeeded(const PointwiseSchedule& schedule) {
  const int per_vector = std::max(1, schedule.vec / 8);
  return (schedule.rows * schedule.cols + schedule.cols) * per_vector + 1;
}

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Output pixels of a plane.
int64_t Pixels(const Conv2dShape& shape) { return shape.out_h() * shape.out_w(); }

// The output channels the cache tiles cover: K rounded up to a whole tile. A tile that K cuts
// short is guarded where it is stored, but its accumulators are computed whole.
int64_t PaddedChannels(const Conv2dShape& shape, const PointwiseSchedule& schedule) {
  return CeilDiv(shape.k, schedule.channels_per_tile()) * schedule.channels_per_tile();
}

}  // namespace

bool PointwiseApplies(const Conv2dShape& shape) {
  return shape.r == 1 && shape.s == 1 && shape.pad == 0 && shape.groups == 1 &&
         Pixels(shape) >= PaddedToNarrowestVector(1);
}

std::vector<int64_t> PointwiseRowChoices() { return {4, 1, 2, 3, 6, 8}; }
std::vector<int64_t> PointwiseColChoices() { return {2, 1, 3, 4}; }
std::vector<int64_t> PointwiseTileChoices() { return {1, 2, 4, 8, 16, 32, 64, 128}; }

std::vector<int64_t> PointwiseBlockChoices(const Conv2dShape& shape) {
  std::vector<int64_t> blocks = {0};
  for (int64_t block : {64, 128, 256})
    if (block < shape.c) blocks.push_back(block);
  return blocks;
}

bool PointwiseScheduleFits(const Conv2dShape& shape, const PointwiseSchedule& schedule) {
  return (shape.stride == 1 || schedule.pack) && RegistersNeeded(schedule) <= kVectorRegisters &&
         schedule.pixels_per_tile() <= Pixels(shape) &&
         schedule.tiles_k <= CeilDiv(shape.k, schedule.rows) && schedule.block_c < shape.c;
}

PointwiseSchedule DefaultPointwiseSchedule(const Conv2dShape& shape) {
  PointwiseSchedule schedule;
  const int64_t pixels = Pixels(shape);
  schedule.vec = pixels >= 8 ? 8 : 4;
  // 4 channels x 3 vectors: 12 accumulators, the most AVX2's registers hold with the operands.
  schedule.rows = 4;
  schedule.cols = static_cast<int>(std::clamp<int64_t>(pixels / schedule.vec, 1, 3));
  // Cache tiles of one register tile of pixels x up to 128 channels, whose panel is packed
  // once and read by 32 register tiles: enough tiles to share among threads on every
  // MobileNet layer (24 on the 7x7 ones).
  schedule.tiles_p = 1;
  schedule.tiles_k = 1;
  while (schedule.tiles_k < 32 && schedule.tiles_k * 2 <= CeilDiv(shape.k, schedule.rows))
    schedule.tiles_k *= 2;
  schedule.pack = true;
  return schedule;
}

LoopNest DescribePointwiseLoops(const Conv2dShape& shape, const PointwiseSchedule& schedule) {
  const int64_t pixels = Pixels(shape);
  const int64_t lanes = int64_t{schedule.vec} * schedule.cols;
  // BuildPointwiseConv2d's register tiles inside the parallel loop over cache tiles, inside
  // the blocks of input channels.
  LoopNest nest;
  const size_t n = nest.Add("n", shape.n, LoopKind::kParallel);
  const size_t ko =
      nest.Add("ko", CeilDiv(shape.k, schedule.channels_per_tile()), LoopKind::kParallel);
  const size_t po =
      nest.Add("po", CeilDiv(pixels, schedule.pixels_per_tile()), LoopKind::kParallel);
  const int64_t block = schedule.block_c ? schedule.block_c : shape.c;
  const size_t cb = nest.Add("cb", CeilDiv(shape.c, block));
  const size_t km = nest.Add("km", schedule.tiles_k);
  const size_t pm = nest.Add("pm", schedule.tiles_p);
  const size_t c = nest.Add("c", block);
  const size_t ki = nest.Add("ki", schedule.rows, LoopKind::kUnrolled);
  const size_t pi = nest.Add("pi", lanes, LoopKind::kVectorized);

  const auto out_p = nest.IndexRow({{po, schedule.pixels_per_tile()}, {pm, lanes}, {pi, 1}});
  const auto out_k =
      nest.IndexRow({{ko, schedule.channels_per_tile()}, {km, schedule.rows}, {ki, 1}});
  const auto channel = nest.IndexRow({{cb, block}, {c, 1}});
  const auto batch = nest.IndexRow({{n, 1}});
  // The input as the register tiles read it (packed panels with a stride).
  nest.buffers.push_back({"input", 4, {pixels, shape.c, shape.n}, {out_p, channel, batch}});
  nest.buffers.push_back(
      {"weights",
       4,
       {schedule.rows, shape.c, PaddedChannels(shape, schedule) / schedule.rows},
       {nest.IndexRow({{ki, 1}}), channel, nest.IndexRow({{ko, schedule.tiles_k}, {km, 1}})}});
  nest.buffers.push_back({"accumulators", 4, {pixels, shape.k, shape.n}, {out_p, out_k, batch}});
  return nest;
}

std::unique_ptr<Kernel> BuildPointwiseConv2d(const Conv2dShape& shape,
                                             const PointwiseSchedule& schedule,
                                             const LayerBinding& layer) {
  const int P = int(Pixels(shape)), C = int(shape.c), K = int(shape.k), N = int(shape.n);
  const int W = int(shape.w), OW = int(shape.out_w()), stride = int(shape.stride);
  const int input_pixels = int(shape.h * shape.w);
  const int rows = schedule.rows, lanes = schedule.vec * schedule.cols;
  const int KR = int(PaddedChannels(shape, schedule));
  // Input channels in reduction blocks; the weights are zero past C up to whole blocks.
  const bool blocked = schedule.block_c > 0;
  const int block = blocked ? schedule.block_c : C;
  const int CP = int(CeilDiv(C, block)) * block;

  // The NCHW tensors seen with each plane flattened: (p, c, n).
  ImageParam input(Halide::Float(32), 3, "input");
  SetDenseShape(input, {input_pixels, C, N});
  input.set(WrapBuffer(layer.input, {input_pixels, C, N}));
  // Weights (k, c) packed as (k % rows, c, k / rows), zero beyond K up to whole cache tiles.
  Halide::Buffer<float> packed(rows, CP, KR / rows);
  packed.fill(0.f);
  for (int k = 0; k < K; ++k)
    for (int c = 0; c < C; ++c) packed(k % rows, c, k / rows) = layer.weights[size_t(k) * C + c];
  ImageParam weights(Halide::Float(32), 3, "weights");
  SetDenseShape(weights, {rows, CP, KR / rows});
  weights.set(packed);

  // With pack, the input is read from panels of `lanes` pixels x the channels, contiguous and
  // zero past the plane: panel(i, c, g, n) is output pixel g * lanes + i's input of channel c.
  // With a stride, the panels gather the pixels the layer reads.
  Var p("p"), k("k"), n("n"), b("b"), i("i"), c("c"), g("g");
  Func panel("pw_panel");
  if (schedule.pack) {
    Expr pixel = g * lanes + i;
    Expr read = stride == 1 ? pixel : (pixel / OW) * (stride * W) + (pixel % OW) * stride;
    panel(i, c, g, n) =
        Halide::select(pixel < P, input(Halide::min(read, input_pixels - 1), c, n), 0.f);
  }
  auto in = [&](Expr channel) {
    if (CP != C) channel = Halide::min(channel, C - 1);  // a zero weight's partner
    return schedule.pack ? panel(p % lanes, channel, p / lanes, n) : input(p, channel, n);
  };
  // One register tile's sum over a block of input channels (all of them when not blocked).
  RDom r(0, block, "r");
  Func partial("pw_partial");
  Expr channel = b * block + r.x;
  partial(p, k, b, n) = 0.f;
  partial(p, k, b, n) += weights(k % rows, channel, k / rows) * in(channel);
  Func conv("conv");
  RDom rb(0, CP / block, "rb");
  if (blocked) {
    conv(p, k, n) = 0.f;
    conv(p, k, n) += partial(p, k, rb, n);
  } else {
    conv(p, k, n) = partial(p, k, 0, n);
  }
  Func output("output");
  output(p, k, n) = LayerEpilogue(conv(p, k, n), layer, {p, k, n}, k, {P, K, N}, K);
  output.bound(p, 0, P).bound(k, 0, K).bound(n, 0, N);
  SetDenseShape(output.output_buffer(), {P, K, N});

  // Cache tiles in parallel, and register tiles in them. A channel tile that K cuts short is
  // guarded where it is stored, while its accumulators stay whole (zero weights beyond K). A
  // pixel tile the plane cuts short shifts inwards, or with pack is guarded too (its panels are
  // zero past the plane).
  const int tile_p = int(schedule.pixels_per_tile()), tile_k = int(schedule.channels_per_tile());
  const TailStrategy pixel_tail = P % tile_p == 0 ? TailStrategy::Auto
                                  : schedule.pack ? TailStrategy::GuardWithIf
                                                  : TailStrategy::ShiftInwards;
  Var po("po"), pt("pt"), pm("pm"), pi("pi"), ko("ko"), kt("kt"), km("km"), ki("ki");
  Var tile("tile"), task("task");
  output.split(k, ko, kt, tile_k, K % tile_k ? TailStrategy::GuardWithIf : TailStrategy::Auto)
      .split(p, po, pt, tile_p, pixel_tail);
  // Where the register tiles' loops are: the output's (unblocked), or the update of the cache
  // tile's accumulators (blocked), in which the blocks are outermost.
  Func tiled = output;
  if (blocked) {
    output.reorder(pt, kt, po, ko, n);
    conv.compute_at(output, task).vectorize(p, schedule.vec).align_bounds(k, rows);
    if (schedule.pack) conv.align_bounds(p, lanes);
    tiled = conv;
  } else {
    output.split(kt, km, ki, rows).split(pt, pm, pi, lanes).reorder(pi, ki, pm, km, po, ko, n);
  }
  output.fuse(po, ko, tile).fuse(tile, n, task).parallel(task);
  if (blocked) {
    output.vectorize(pt, schedule.vec);
    conv.update()
        .split(k, km, ki, rows)
        .split(p, pm, pi, lanes)
        .reorder(pi, ki, pm, km, rb.x, n)
        .vectorize(pi, schedule.vec)
        .unroll(pi)
        .unroll(ki);
  } else {
    output.vectorize(pi, schedule.vec).unroll(pi).unroll(ki);
  }

  // The accumulators of one register tile over one block: a constant-size allocation, which
  // LLVM keeps in registers through the block's reduction. (Accumulators of a whole cache
  // tile, swept by the register tiles, stay in registers only while nothing else the loop
  // writes might alias them, which a packed panel defeats.) Aligned, the tile's weights are
  // whole blocks of the packing.
  partial.compute_at(tiled, pm)
      .align_bounds(k, rows)
      .bound_extent(k, rows)
      .bound_extent(p, lanes)
      .vectorize(p, schedule.vec)
      .unroll(p)
      .unroll(k);
  if (schedule.pack) partial.align_bounds(p, lanes);
  partial.update().reorder(p, k, r.x).vectorize(p, schedule.vec).unroll(p).unroll(k);
  if (!blocked) conv.compute_inline();
  // With pack, the cache tile's input is packed once, before its register tiles sweep it.
  if (schedule.pack) panel.compute_at(output, task).vectorize(i, schedule.vec);

  Halide::Buffer<float> out = layer.output ? Halide::Buffer<float>(layer.output, {P, K, N})
                                           : Halide::Buffer<float>(P, K, N);
  return CompileKernel(Halide::Pipeline(output), out, {packed});
}

}  // namespace tessel
