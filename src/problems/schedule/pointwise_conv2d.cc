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

// A register tile's accumulators, its input vectors and the broadcast weight must fit in the
// vector registers, or LLVM spills accumulators inside the reduction, which measured 2-3x
// slower (3 x 4 against 4 x 3 on MobileNet's 14x14 layer, with AVX2). With AVX-512's budget
// instead of AVX2's, MobileNet's 1x1 layers tuned to 0.76x oneDNN's speed on one thread, from
// 0.63x (bench/pointwise/README.md).
int RegistersNeeded(const PointwiseSchedule& schedule) {
  const int per_vector = std::max(1, schedule.vec / HostVectorRegisters().lanes);
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

VectorRegisterFile HostVectorRegisters() {
  static const VectorRegisterFile file = HostTarget().has_feature(Halide::Target::AVX512)
                                             ? VectorRegisterFile{32, 16}
                                             : VectorRegisterFile{16, 8};
  return file;
}

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
  // In NHWC vectors along pixels would gather a pixel's channel from each of theirs.
  if (shape.layout == TensorLayout::kNhwc && !schedule.channel_vectors) return false;
  return (shape.stride == 1 || schedule.pack) &&
         RegistersNeeded(schedule) <= HostVectorRegisters().registers &&
         schedule.pixels_per_tile() <= Pixels(shape) &&
         schedule.tiles_k <= CeilDiv(shape.k, schedule.tile_channels()) &&
         schedule.block_c < shape.c;
}

PointwiseSchedule DefaultPointwiseSchedule(const Conv2dShape& shape) {
  PointwiseSchedule schedule;
  const int64_t pixels = Pixels(shape);
  // In NHWC, vectors run along channels on every plane.
  const bool nhwc = shape.layout == TensorLayout::kNhwc;
  if (HostVectorRegisters().lanes == 16 && (pixels > 64 || shape.k % 16 == 0)) {
    // AVX-512: 8 x 2 vectors of 16 lanes along pixels, or 6 pixels x 2 vectors along channels
    // on planes of at most 64 pixels. The best of four candidates each on MobileNet's 1x1
    // layers: 1.2-2.4x the AVX2 default's speed there (bench/pointwise/default_candidates.py).
    schedule.channel_vectors = nhwc || pixels <= 64;
    schedule.vec = 16;
    schedule.rows = schedule.channel_vectors ? (pixels >= 6 ? 6 : 4) : 8;
    const int64_t vectors = schedule.channel_vectors ? shape.k / 16 : pixels / 16;
    schedule.cols = static_cast<int>(std::clamp<int64_t>(vectors, 1, 2));
  } else {
    // 4 x 3 vectors: 12 accumulators, the most AVX2's registers hold with the operands. Along
    // pixels, but along channels on planes of at most 64 pixels with channels in whole vectors.
    schedule.channel_vectors = nhwc || (pixels <= 64 && shape.k % 8 == 0);
    schedule.vec = schedule.channel_vectors || pixels >= 8 ? 8 : 4;
    schedule.rows = 4;
    const int64_t vectors = schedule.channel_vectors ? shape.k / 8 : pixels / schedule.vec;
    schedule.cols = static_cast<int>(std::clamp<int64_t>(vectors, 1, 3));
  }
  // Cache tiles of one register tile of pixels x up to 32 register tiles of channels, whose
  // panel is packed once and read by each: enough tiles to share among threads on every
  // MobileNet layer.
  schedule.tiles_p = 1;
  schedule.tiles_k = 1;
  while (schedule.tiles_k < 32 &&
         schedule.tiles_k * 2 <= CeilDiv(shape.k, schedule.tile_channels()))
    schedule.tiles_k *= 2;
  // In NHWC a tile's pixels are already contiguous: only strided layers gather them.
  schedule.pack = !nhwc || shape.stride != 1;
  return schedule;
}

LoopNest DescribePointwiseLoops(const Conv2dShape& shape, const PointwiseSchedule& schedule) {
  const int64_t pixels = Pixels(shape);
  const int64_t tile_p = schedule.tile_pixels(), tile_k = schedule.tile_channels();
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
  // The register tile: the broadcast side unrolled, the vectorised side innermost.
  const bool along_k = schedule.channel_vectors;
  const size_t outer =
      nest.Add(along_k ? "pi" : "ki", along_k ? tile_p : tile_k, LoopKind::kUnrolled);
  const size_t inner =
      nest.Add(along_k ? "ki" : "pi", along_k ? tile_k : tile_p, LoopKind::kVectorized);
  const size_t pi = along_k ? outer : inner, ki = along_k ? inner : outer;

  const auto out_p = nest.IndexRow({{po, schedule.pixels_per_tile()}, {pm, tile_p}, {pi, 1}});
  const auto out_k = nest.IndexRow({{ko, schedule.channels_per_tile()}, {km, tile_k}, {ki, 1}});
  const auto channel = nest.IndexRow({{cb, block}, {c, 1}});
  const auto batch = nest.IndexRow({{n, 1}});
  // The input as the register tiles read it (packed panels with a stride).
  nest.buffers.push_back({"input", 4, {pixels, shape.c, shape.n}, {out_p, channel, batch}});
  nest.buffers.push_back(
      {"weights",
       4,
       {tile_k, shape.c, PaddedChannels(shape, schedule) / tile_k},
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
  // The register tile: kr output channels x pr pixels; its vectors run along one of them.
  const int kr = int(schedule.tile_channels()), pr = int(schedule.tile_pixels());
  const bool along_k = schedule.channel_vectors;
  const int KR = int(PaddedChannels(shape, schedule));
  // Input channels in reduction blocks; the weights are zero past C up to whole blocks.
  const bool blocked = schedule.block_c > 0;
  const int block = blocked ? schedule.block_c : C;
  const int CP = int(CeilDiv(C, block)) * block;

  // The activations seen with each plane flattened: (p, c, n), in the layer's layout.
  const TensorLayout layout = shape.layout;
  std::vector<Halide::Buffer<float>> owned;
  ImageParam input(Halide::Float(32), 3, "input");
  SetActivationShape(input, {input_pixels, C, N}, layout);
  input.set(WrapActivation(layer.input, {input_pixels, C, N}, layout));
  // Weights (k, c) packed as (k % kr, c, k / kr), zero beyond K up to whole cache tiles.
  Halide::Buffer<float> packed(kr, CP, KR / kr);
  packed.fill(0.f);
  for (int k = 0; k < K; ++k)
    for (int c = 0; c < C; ++c) packed(k % kr, c, k / kr) = layer.weights[size_t(k) * C + c];
  ImageParam weights(Halide::Float(32), 3, "weights");
  SetDenseShape(weights, {kr, CP, KR / kr});
  weights.set(packed);
  owned.push_back(packed);

  // With pack, the input is read from panels of a register tile's pixels x the channels,
  // contiguous and zero past the plane: panel(i, c, g, n) is output pixel g * pr + i's input
  // of channel c.
  // With a stride, the panels gather the pixels the layer reads.
  Var p("p"), k("k"), n("n"), b("b"), i("i"), c("c"), g("g");
  Func panel("pw_panel");
  if (schedule.pack) {
    Expr pixel = g * pr + i;
    Expr read = stride == 1 ? pixel : (pixel / OW) * (stride * W) + (pixel % OW) * stride;
    panel(i, c, g, n) =
        Halide::select(pixel < P, input(Halide::min(read, input_pixels - 1), c, n), 0.f);
  }
  auto in = [&](Expr channel) {
    if (CP != C) channel = Halide::min(channel, C - 1);  // a zero weight's partner
    return schedule.pack ? panel(p % pr, channel, p / pr, n) : input(p, channel, n);
  };
  // One register tile's sum over a block of input channels (all of them when not blocked).
  RDom r(0, block, "r");
  Func partial("pw_partial");
  Expr channel = b * block + r.x;
  partial(p, k, b, n) = 0.f;
  partial(p, k, b, n) += weights(k % kr, channel, k / kr) * in(channel);
  Func conv("conv");
  RDom rb(0, CP / block, "rb");
  if (blocked) {
    conv(p, k, n) = 0.f;
    conv(p, k, n) += partial(p, k, rb, n);
  } else {
    conv(p, k, n) = partial(p, k, 0, n);
  }
  Func output("output");
  output(p, k, n) = LayerEpilogue(conv(p, k, n), layer, {p, k, n}, k, {P, K, N}, K, layout);
  output.bound(p, 0, P).bound(k, 0, K).bound(n, 0, N);
  SetActivationShape(output.output_buffer(), {P, K, N}, layout);

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
  // The register tile's loops, innermost first: the vectorised side, then the broadcast one.
  auto register_loops = [&](Var pixel, Var channel) {
    return along_k ? std::vector<Halide::VarOrRVar>{channel, pixel}
                   : std::vector<Halide::VarOrRVar>{pixel, channel};
  };
  // Where the register tiles' loops are: the output's (unblocked), or the update of the cache
  // tile's accumulators (blocked), in which the blocks are outermost.
  Func tiled = output;
  if (blocked) {
    output.reorder(pt, kt, po, ko, n);
    conv.compute_at(output, task).align_bounds(k, kr);
    if (schedule.pack) conv.align_bounds(p, pr);
    tiled = conv;
  } else {
    const auto loops = register_loops(pi, ki);
    output.split(kt, km, ki, kr)
        .split(pt, pm, pi, pr)
        .reorder(loops[0], loops[1], pm, km, po, ko, n);
  }
  output.fuse(po, ko, tile).fuse(tile, n, task).parallel(task);
  if (blocked) {
    // Stored with vectors the way the register tiles run (a cache tile may hold fewer pixels
    // than a vector when they run along channels).
    output.vectorize(along_k ? kt : pt, schedule.vec);
    conv.vectorize(along_k ? k : p, schedule.vec);
    if (along_k) conv.reorder_storage(k, p, n);
    const auto loops = register_loops(pi, ki);
    conv.update()
        .split(k, km, ki, kr)
        .split(p, pm, pi, pr)
        .reorder(loops[0], loops[1], pm, km, rb.x, n)
        .vectorize(loops[0], schedule.vec)
        .unroll(loops[0])
        .unroll(loops[1]);
  } else {
    // Along channels in NCHW, the stores scatter a vector's lanes a plane apart: once per
    // output, after a reduction over all input channels. In NHWC they are dense.
    const auto loops = register_loops(pi, ki);
    output.vectorize(loops[0], schedule.vec).unroll(loops[0]).unroll(loops[1]);
  }

  // The accumulators of one register tile over one block: a constant-size allocation, which
  // LLVM keeps in registers through the block's reduction. (Accumulators of a whole cache
  // tile, swept by the register tiles, stay in registers only while nothing else the loop
  // writes might alias them, which a packed panel defeats.) Aligned, the tile's weights are
  // whole blocks of the packing.
  const auto partial_loops = register_loops(p, k);
  partial.compute_at(tiled, pm)
      .align_bounds(k, kr)
      .bound_extent(k, kr)
      .bound_extent(p, pr)
      .vectorize(partial_loops[0], schedule.vec)
      .unroll(partial_loops[0])
      .unroll(partial_loops[1]);
  if (schedule.pack) partial.align_bounds(p, pr);
  // Stored with the vectorised side innermost, so that its vectors are dense (strided ones
  // would keep LLVM from holding the tile in registers).
  if (along_k) partial.reorder_storage(k, p, b, n);
  partial.update()
      .reorder(partial_loops[0], partial_loops[1], r.x)
      .vectorize(partial_loops[0], schedule.vec)
      .unroll(partial_loops[0])
      .unroll(partial_loops[1]);
  if (!blocked) conv.compute_inline();
  // With pack, the cache tile's input is packed once, before its register tiles sweep it;
  // along channels a register tile's few pixels are not a vector's worth.
  if (schedule.pack)
    panel.compute_at(output, task)
        .vectorize(along_k ? c : i, schedule.vec, TailStrategy::GuardWithIf);

  Halide::Buffer<float> out = ActivationBuffer(layer.output, {P, K, N}, layout, owned);
  return CompileKernel(Halide::Pipeline(output), out, std::move(owned));
}

}  // namespace tessel
