#include "problems/schedule/depthwise_conv2d.h"

#include <algorithm>

#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/pointwise_conv2d.h"
#include "problems/schedule/template_knobs.h"

namespace tessel {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::TailStrategy;
using Halide::Var;

// Output rows per zero-padded block with padding=rows: the block's copy (18 rows of a 114-wide
// padded plane, 8 KB) stays in L1 while the block reads it.
constexpr int kRowsPerBlock = 16;

// Choices up to `limit`, always keeping the first.
std::vector<int64_t> ChoicesUpTo(std::initializer_list<int64_t> choices, int64_t limit) {
  std::vector<int64_t> kept;
  for (int64_t choice : choices)
    if (kept.empty() || choice <= limit) kept.push_back(choice);
  return kept;
}

int RowsPerBlock(const DepthwiseSchedule& schedule, int out_h) {
  if (schedule.padding != DepthwisePadding::kRows) return out_h;
  const int rows = schedule.rows;
  return std::min(out_h, (kRowsPerBlock + rows - 1) / rows * rows);
}

// Rows of at most this many vectors unroll their columns with padding=exterior.
constexpr int kUnrolledRowVectors = 4;

bool UnrollsColumns(const DepthwiseSchedule& schedule, int64_t out_w) {
  return schedule.padding == DepthwisePadding::kExterior &&
         out_w <= kUnrolledRowVectors * schedule.vec;
}

// ShiftInwards recomputes a few outputs so that every vector or tile is whole: pure and
// cheaper than a guarded tail, but only possible when the extent holds one whole tile.
TailStrategy TailFor(int extent, int factor) {
  if (extent % factor == 0) return TailStrategy::Auto;
  return extent > factor ? TailStrategy::ShiftInwards : TailStrategy::Predicate;
}

}  // namespace

bool DepthwiseApplies(const Conv2dShape& shape) {
  return shape.groups > 1 && shape.groups == shape.c && shape.groups == shape.k;
}

const std::vector<std::string>& DepthwisePaddingNames() {
  static const std::vector<std::string> names = {"exterior", "rows", "plane"};
  return names;
}

std::vector<std::string> DepthwisePaddingChoices(const Conv2dShape& shape) {
  // Halide 14 misaligns strided vector loads from its own allocations at constant addresses:
  // it emits aligned moves (vmovaps) to addresses 8 bytes off, which fault. The register tiles
  // that loop partitioning peels off a padded copy (a plane's first tile, tiles shifted
  // inwards) read it at constant addresses, so strided layers read the input itself.
  const std::vector<std::string>& names = DepthwisePaddingNames();
  return shape.stride == 1 ? names : std::vector<std::string>{names[0]};
}

std::vector<int64_t> DepthwiseRowChoices(const Conv2dShape& shape) {
  return ChoicesUpTo({1, 2, 4, 7}, shape.out_h());
}

std::vector<int64_t> DepthwiseChannelChoices(const Conv2dShape& shape) {
  return ChoicesUpTo({1, 4, 16}, shape.c);
}

bool DepthwiseScheduleFits(const Conv2dShape& shape, const DepthwiseSchedule& schedule) {
  if (shape.layout == TensorLayout::kNhwc) {
    // Columns x vectors of channels in the register tile, read through the boundary condition:
    // the accumulators and a tap's weight vectors fit in the registers, and the vectors of
    // channels in the channels rounded up to 4 lanes.
    const int per_vector = std::max(1, schedule.vec / HostVectorRegisters().lanes);
    return schedule.padding == DepthwisePadding::kExterior && schedule.rows <= shape.out_w() &&
           int64_t{schedule.vec} * schedule.channels <= PaddedToNarrowestVector(shape.c) &&
           (schedule.rows + 1) * schedule.channels * per_vector <= HostVectorRegisters().registers;
  }
  // padding=rows with blocks as tall as the output is padding=plane: one of them is enough.
  if (schedule.padding == DepthwisePadding::kRows &&
      RowsPerBlock(schedule, static_cast<int>(shape.out_h())) >= shape.out_h())
    return false;
  return (shape.stride == 1 || schedule.padding == DepthwisePadding::kExterior) &&
         schedule.vec <= PaddedToNarrowestVector(shape.out_w()) && schedule.rows <= shape.out_h() &&
         schedule.channels <= shape.c;
}

DepthwiseSchedule DefaultDepthwiseSchedule(const Conv2dShape& shape) {
  DepthwiseSchedule schedule;
  if (shape.layout == TensorLayout::kNhwc) {
    // Four columns x one vector of channels, as wide as the host's and the channels allow.
    schedule.padding = DepthwisePadding::kExterior;
    const int64_t lanes = HostVectorRegisters().lanes;
    schedule.vec = shape.c >= lanes ? static_cast<int>(lanes) : shape.c >= 8 ? 8 : 4;
    schedule.rows = shape.out_w() >= 4 ? 4 : shape.out_w() >= 2 ? 2 : 1;
    schedule.channels = 1;
    return schedule;
  }
  schedule.padding = shape.stride == 1 ? DepthwisePadding::kPlane : DepthwisePadding::kExterior;
  schedule.vec = shape.out_w() >= 8 ? 8 : 4;
  // Four rows share six input rows. The best height varies from 1 to 7 across MobileNet's
  // layers (vector width and padding interact with it), so the default takes the middle.
  schedule.rows = shape.out_h() >= 4 ? 4 : shape.out_h() >= 2 ? 2 : 1;
  // Enough tasks to balance two to a few dozen threads, each at least a few microseconds.
  const std::vector<int64_t> channels = DepthwiseChannelChoices(shape);
  schedule.channels = static_cast<int>(channels[0]);
  for (int64_t choice : channels)
    if (shape.c / choice >= 32) schedule.channels = static_cast<int>(choice);
  return schedule;
}

namespace {

// The input as the taps of a window read it, through the zero border (whether materialised or
// not), in NCHW order: output column and row index rows, scaled by the stride, plus the tap's
// loop (q along columns, r along rows).
BufferAccess TapInputAccess(const Conv2dShape& shape, std::vector<int64_t> out_x,
                            std::vector<int64_t> out_y, std::vector<int64_t> channel,
                            std::vector<int64_t> batch, size_t r, size_t q) {
  auto strided = [&](std::vector<int64_t> row, size_t tap) {
    for (int64_t& v : row) v *= shape.stride;
    row[tap] += 1;
    return row;
  };
  return {"input",
          4,
          {shape.w + 2 * shape.pad, shape.h + 2 * shape.pad, shape.c, shape.n},
          {strided(std::move(out_x), q), strided(std::move(out_y), r), std::move(channel),
           std::move(batch)}};
}

// The W x H input read through a zero border of `pad` pixels.
Func WithZeroBorder(const ImageParam& input, int W, int H, int pad) {
  Var x("x"), y("y"), c("c"), n("n");
  Func bounded("dw_bounded");
  if (pad == 0) {
    bounded(x, y, c, n) = input(x, y, c, n);
  } else {
    Func exterior = Halide::BoundaryConditions::constant_exterior(input, 0.f, {{0, W}, {0, H}});
    bounded(x, y, c, n) = exterior(x - pad, y - pad, c, n);
  }
  return bounded;
}

// BuildDepthwiseNhwc's output stage; the taps are unrolled inside the register tile. The input
// is described in NCHW order (the caller moves its channels innermost).
LoopNest DescribeDepthwiseNhwcLoops(const Conv2dShape& shape, const DepthwiseSchedule& schedule) {
  auto ceil_div = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  const int64_t tile_c = int64_t{schedule.vec} * schedule.channels;
  LoopNest nest;
  const size_t n = nest.Add("n", shape.n, LoopKind::kParallel);
  const size_t y = nest.Add("y", shape.out_h(), LoopKind::kParallel);
  const size_t co = nest.Add("co", ceil_div(shape.c, tile_c));
  const size_t xo = nest.Add("xo", ceil_div(shape.out_w(), schedule.rows));
  const size_t r = nest.Add("r", shape.r, LoopKind::kUnrolled);
  const size_t q = nest.Add("q", shape.s, LoopKind::kUnrolled);
  const size_t xi = nest.Add("xi", schedule.rows, LoopKind::kUnrolled);
  const size_t cm = nest.Add("cm", schedule.channels, LoopKind::kUnrolled);
  const size_t cv = nest.Add("cv", schedule.vec, LoopKind::kVectorized);
  const auto out_x = nest.IndexRow({{xo, schedule.rows}, {xi, 1}});
  const auto out_y = nest.IndexRow({{y, 1}});
  const auto channel = nest.IndexRow({{co, tile_c}, {cm, schedule.vec}, {cv, 1}});
  const auto batch = nest.IndexRow({{n, 1}});
  nest.buffers.push_back(TapInputAccess(shape, out_x, out_y, channel, batch, r, q));
  nest.buffers.push_back({"weights",
                          4,
                          {shape.c, shape.s, shape.r},
                          {channel, nest.IndexRow({{q, 1}}), nest.IndexRow({{r, 1}})}});
  nest.buffers.push_back({"accumulators",
                          4,
                          {shape.c, shape.out_w(), shape.out_h(), shape.n},
                          {channel, out_x, out_y, batch}});
  return nest;
}

// The kernel over NHWC activations: vectors along channels, so that every tap is one dense
// load and one multiply-add per vector, as oneDNN's depthwise kernels do over blocked channels;
// a register tile of `rows` output columns x `channels` vectors of channels, output rows in
// parallel. The zero border is read through a boundary condition (a scalar select per tap on
// the tile's edge columns); the other paddings are for NCHW.
std::unique_ptr<Kernel> BuildDepthwiseNhwc(const Conv2dShape& shape,
                                           const DepthwiseSchedule& schedule,
                                           const LayerBinding& layer) {
  const int W = int(shape.w), H = int(shape.h), C = int(shape.c), N = int(shape.n);
  const int R = int(shape.r), S = int(shape.s), stride = int(shape.stride), pad = int(shape.pad);
  const int OH = int(shape.out_h()), OW = int(shape.out_w());
  const TensorLayout layout = TensorLayout::kNhwc;
  std::vector<Halide::Buffer<float>> owned;

  ImageParam input(Halide::Float(32), 4, "input");
  SetActivationShape(input, {W, H, C, N}, layout);
  input.set(WrapActivation(layer.input, {W, H, C, N}, layout));
  // Weights (c, 1, r, s) as (c, s, r): a tap's weights of a vector of channels are adjacent.
  Halide::Buffer<float> packed(C, S, R);
  for (int c = 0; c < C; ++c)
    for (int r = 0; r < R; ++r)
      for (int q = 0; q < S; ++q) packed(c, q, r) = layer.weights[(size_t(c) * R + r) * S + q];
  owned.push_back(packed);
  ImageParam weights(Halide::Float(32), 3, "weights");
  SetDenseShape(weights, {C, S, R});
  weights.set(packed);

  Var x("x"), y("y"), c("c"), n("n");
  const Func bounded = WithZeroBorder(input, W, H, pad);
  Expr sum;
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < S; ++q) {
      Expr term = weights(c, q, r) * bounded(x * stride + q, y * stride + r, c, n);
      sum = sum.defined() ? sum + term : term;
    }
  Func output("output");
  output(x, y, c, n) = LayerEpilogue(sum, layer, {x, y, c, n}, c, {OW, OH, C, N}, C, layout);
  output.bound(x, 0, OW).bound(y, 0, OH).bound(c, 0, C).bound(n, 0, N);
  SetActivationShape(output.output_buffer(), {OW, OH, C, N}, layout);

  const int tile_c = schedule.vec * schedule.channels;
  Var co("co"), ct("ct"), cm("cm"), cv("cv"), xo("xo"), xi("xi"), task("task");
  output.split(c, co, ct, tile_c, TailFor(C, tile_c))
      .split(ct, cm, cv, schedule.vec)
      .split(x, xo, xi, schedule.rows, TailFor(OW, schedule.rows))
      .reorder(cv, cm, xi, xo, co, y, n)
      .vectorize(cv)
      .unroll(cm)
      .unroll(xi)
      .fuse(y, n, task)
      .parallel(task);

  Halide::Buffer<float> out = ActivationBuffer(layer.output, {OW, OH, C, N}, layout, owned);
  return CompileKernel(Halide::Pipeline(output), out, std::move(owned));
}

}  // namespace

LoopNest DescribeDepthwiseLoops(const Conv2dShape& shape, const DepthwiseSchedule& schedule) {
  if (shape.layout == TensorLayout::kNhwc) return DescribeDepthwiseNhwcLoops(shape, schedule);
  const int64_t oh = shape.out_h(), ow = shape.out_w();
  const int64_t block = RowsPerBlock(schedule, static_cast<int>(oh));
  auto ceil_div = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
  // BuildDepthwiseConv2d's output stage; the taps are unrolled inside the register tile.
  LoopNest nest;
  const size_t n = nest.Add("n", shape.n, LoopKind::kParallel);
  const size_t co = nest.Add("co", ceil_div(shape.c, schedule.channels), LoopKind::kParallel);
  const size_t ci = nest.Add("ci", schedule.channels);
  const size_t yb = nest.Add("yb", ceil_div(oh, block));
  const size_t yo = nest.Add("yo", ceil_div(block, schedule.rows));
  const size_t xo =
      nest.Add("xo", ceil_div(ow, schedule.vec),
               UnrollsColumns(schedule, ow) ? LoopKind::kUnrolled : LoopKind::kSerial);
  const size_t r = nest.Add("r", shape.r, LoopKind::kUnrolled);
  const size_t q = nest.Add("q", shape.s, LoopKind::kUnrolled);
  const size_t yi = nest.Add("yi", schedule.rows, LoopKind::kUnrolled);
  const size_t xv = nest.Add("xv", schedule.vec, LoopKind::kVectorized);

  const auto out_x = nest.IndexRow({{xo, schedule.vec}, {xv, 1}});
  const auto out_y = nest.IndexRow({{yb, block}, {yo, schedule.rows}, {yi, 1}});
  const auto channel = nest.IndexRow({{co, schedule.channels}, {ci, 1}});
  const auto batch = nest.IndexRow({{n, 1}});
  nest.buffers.push_back(TapInputAccess(shape, out_x, out_y, channel, batch, r, q));
  nest.buffers.push_back(
      {"weights",
       4,
       {shape.s, shape.r, 1, shape.k},
       {nest.IndexRow({{q, 1}}), nest.IndexRow({{r, 1}}), nest.IndexRow({}), channel}});
  nest.buffers.push_back(
      {"accumulators", 4, {ow, oh, shape.k, shape.n}, {out_x, out_y, channel, batch}});
  return nest;
}

std::unique_ptr<Kernel> BuildDepthwiseConv2d(const Conv2dShape& shape,
                                             const DepthwiseSchedule& schedule,
                                             const LayerBinding& layer) {
  if (shape.layout == TensorLayout::kNhwc) return BuildDepthwiseNhwc(shape, schedule, layer);
  const int W = int(shape.w), H = int(shape.h), C = int(shape.c), N = int(shape.n);
  const int R = int(shape.r), S = int(shape.s), stride = int(shape.stride), pad = int(shape.pad);
  const int OH = int(shape.out_h()), OW = int(shape.out_w());
  const int vec = schedule.vec, rows = schedule.rows;

  ImageParam input(Halide::Float(32), 4, "input");
  SetDenseShape(input, {W, H, C, N});
  input.set(WrapBuffer(layer.input, {W, H, C, N}));
  ImageParam weights(Halide::Float(32), 4, "weights");
  SetDenseShape(weights, {S, R, 1, C});
  weights.set(WrapBuffer(layer.weights, {S, R, 1, C}));

  Var x("x"), y("y"), c("c"), n("n"), b("b");
  // Output rows are computed in blocks: the whole plane, or about 16 rows with padding=rows.
  // With a padded copy each block reads its own: tile(x, t, b, c, n) is input column x - pad,
  // row b * block * stride + t - pad, zero outside the input.
  const int block = RowsPerBlock(schedule, OH);
  const bool copied = schedule.padding != DepthwisePadding::kExterior;
  Func tile("dw_padded");
  RDom rows_in(0, W, 0, (block - 1) * stride + R, "rows_in");
  Func bounded("dw_bounded");
  if (copied) {
    // Zeros, then the block's input rows copied with dense vectors (zero rows outside the
    // input): a select over clamped columns would gather on rows too narrow to have an
    // interior that loop partitioning could split off.
    tile(x, y, b, c, n) = 0.f;
    Expr in_row = b * block * stride + rows_in.y - pad;
    tile(rows_in.x + pad, rows_in.y, b, c, n) = Halide::select(
        in_row >= 0 && in_row < H, input(rows_in.x, Halide::clamp(in_row, 0, H - 1), c, n), 0.f);
  } else {
    bounded = WithZeroBorder(input, W, H, pad);
  }

  // The window, unrolled: one multiply-add per tap, the weight broadcast along the vector.
  Expr sum;
  for (int r = 0; r < R; ++r)
    for (int q = 0; q < S; ++q) {
      Expr in = copied ? tile(x * stride + q, (y % block) * stride + r, y / block, c, n)
                       : bounded(x * stride + q, y * stride + r, c, n);
      Expr term = weights(q, r, 0, c) * in;
      sum = sum.defined() ? sum + term : term;
    }
  Func output("output");
  output(x, y, c, n) = LayerEpilogue(sum, layer, {x, y, c, n}, c, {OW, OH, C, N}, C);
  output.bound(x, 0, OW).bound(y, 0, OH).bound(c, 0, C).bound(n, 0, N);
  SetDenseShape(output.output_buffer(), {OW, OH, C, N});

  // Channels (in tasks of `channels`) and images in parallel; in each channel, blocks of rows,
  // register tiles of `rows` rows x one vector of columns. A block that the output's height
  // cuts short is guarded (its tile copy, being whole, stays in the input through its select);
  // the register tiles shift inwards within their block.
  Var co("co"), ci("ci"), task("task"), yb("yb"), yt("yt"), yo("yo"), yi("yi"), xo("xo"), xv("xv");
  Var rows_var = y;
  if (block < OH) {
    output.split(y, yb, yt, block, TailStrategy::GuardWithIf);
    rows_var = yt;
  }
  output.split(rows_var, yo, yi, rows, TailFor(block, rows))
      .split(x, xo, xv, vec, TailFor(OW, vec))
      .split(c, co, ci, schedule.channels, TailStrategy::GuardWithIf);
  if (block < OH) {
    output.reorder(xv, yi, xo, yo, yb, ci, co, n);
  } else {
    output.reorder(xv, yi, xo, yo, ci, co, n);
  }
  output.vectorize(xv).unroll(yi).fuse(co, n, task).parallel(task);
  // Reading through the boundary condition, a row of a few vectors is all edges: unrolled, its
  // lanes' clamped columns are constants, which Halide loads densely and shuffles instead of
  // gathering (10-20% on MobileNet's 7- and 14-wide strided layers).
  if (UnrollsColumns(schedule, OW)) output.unroll(xo);

  if (copied) {
    tile.compute_at(output, block < OH ? yb : ci).vectorize(x, vec, TailStrategy::RoundUp);
    // A reduction variable cannot shift inwards: the last vector of a row is masked.
    const int lanes = std::min(vec, W);
    tile.update().vectorize(rows_in.x, lanes,
                            W % lanes ? TailStrategy::Predicate : TailStrategy::Auto);
  }

  Halide::Buffer<float> out = layer.output ? Halide::Buffer<float>(layer.output, {OW, OH, C, N})
                                           : Halide::Buffer<float>(OW, OH, C, N);
  return CompileKernel(Halide::Pipeline(output), out, {});
}

}  // namespace tessel
