// The conv2d schedule template (CPU). Its knobs mirror TVM's conv2d template:
//
//   tile_f, tile_y, tile_x   3-level splits [outer, middle, inner] of output channels, rows
//                            and columns. outer x outer x outer is the parallel grid of cache
//                            tiles; middle is swept inside a tile; inner is the register tile.
//                            The channels are rounded up to a multiple of 4 (the narrowest
//                            vector) with zero weights, so that every layer has schedules.
//   tile_rc, tile_ry, tile_rx 2-level splits of the reductions (input channels per group,
//                            kernel rows, kernel columns). The outer part of tile_rc blocks the
//                            input channels for cache reuse; the inner parts set the granularity
//                            that the unroll knobs act on.
//   auto_unroll_max_step     unroll the innermost reduction loops while their total extent
//   unroll_explicit          stays within the step (only when unroll_explicit is 1).
//   vec                      vector width of the innermost register-tile dimension.
//   parallel                 which outer tile loops are fused into the parallel loop.
//   layout                   nchw: vectors run along output columns, weights broadcast;
//                            nchwc: weights pre-packed into blocks of tile_f's inner factor
//                            (NCHWc-style, as oneDNN's blocked formats), vectors run along
//                            output channels and input pixels are broadcast.
//                            In NHWC workloads (layout=nhwc in the spec: a network kept
//                            channels-last) only nchwc applies, and its stores are dense;
//                            Winograd's transforms there run along channels.
//
// 3x3 stride-1 ungrouped layers also choose their algorithm (winograd_conv2d.h):
//   winograd                 0: direct convolution (the knobs above); 2 or 4: Winograd's
//                            F(2x2, 3x3) or F(4x4, 3x3) with the knobs below and vec.
//   wino_tile_k              2-level split [outer, inner] of the output channels; inner is the
//                            register tile's vectorised side.
//   wino_tile_t              tiles in the register tile.
//   wino_parallel_tiles      0: the parallel loop runs over the transformed positions and the
//                            channel blocks; 1: over blocks of tiles too.
// Depthwise layers (groups == c == k) choose their algorithm too (depthwise_conv2d.h):
//   depthwise                0: direct convolution; 1: the depthwise kernel with the knobs
//                            below and vec (vectors along output columns).
//   dw_padding               exterior, rows or plane: how the zero border is handled.
//   dw_rows                  output rows in the register tile.
//   dw_channels              channels per parallel task.
// Pointwise layers (1x1, no padding, ungrouped, any stride) choose their algorithm too
// (pointwise_conv2d.h): a matrix product over the flattened plane.
//   pointwise                0: direct convolution; 1: the pointwise kernel with the knobs
//                            below and vec (vectors along the flattened pixels).
//   pw_rows, pw_cols         the register tile: output channels x vectors of pixels.
//   pw_tiles_k, pw_tiles_p   the cache tile (the unit of parallel work), in register tiles.
//   pw_pack                  1: copy a cache tile's input into contiguous panels first.
//   pw_block_c               input channels per reduction block (0: all).
//   pw_channel_vectors       0: vectors along pixels, pw_rows channels broadcast; 1: vectors
//                            along output channels, pw_rows pixels broadcast. A number, not
//                            names: a named knob is one-hot, and its one value elsewhere would
//                            give other layers' spaces fewer features.
// Other layers have these knobs with one value each (winograd=0, depthwise=0, pointwise=0), so
// that every
// conv2d space has the same features and records of any layer can warm up another's cost
// model. The knobs of the algorithms not chosen take their first value (Canonical), so that
// configurations differing only there are measured once.
//
// Register tiles are capped at 32 vector accumulators (the AVX-512 register file) so that a
// configuration cannot unroll into a kernel that takes minutes to compile.
#include <algorithm>

#include "problems/schedule/depthwise_conv2d.h"
#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/pointwise_conv2d.h"
#include "problems/schedule/reference_ops.h"
#include "problems/schedule/template_knobs.h"
#include "problems/schedule/winograd_conv2d.h"

namespace tessel {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::RVar;
using Halide::Var;

enum ConvKnob {
  kTileF,
  kTileY,
  kTileX,
  kTileRc,
  kTileRy,
  kTileRx,
  kAutoUnroll,
  kUnrollExplicit,
  kVec,
  kParallel,
  kLayout,
  // Winograd's algorithm: one value each on layers it does not apply to.
  kWinograd,
  kWinoTileK,
  kWinoTileT,
  kWinoParallelTiles,
  // The depthwise kernel: one value each on layers it does not apply to.
  kDepthwise,
  kDwPadding,
  kDwRows,
  kDwChannels,
  // The pointwise kernel: one value each on layers it does not apply to.
  kPointwise,
  kPwRows,
  kPwCols,
  kPwTilesP,
  kPwTilesK,
  kPwPack,
  kPwBlockC,
  kPwVectors,
};

constexpr int kMaxAccumulators = 32;

// The decoded knobs of one configuration.
struct ConvSchedule {
  Factors f, y, x, rc, ry, rx;
  int64_t unroll_step;
  bool unroll_explicit;
  int vec;
  std::string parallel;
  bool packed;
  int winograd_m = 0;  // 0: direct convolution
  WinogradSchedule winograd;
  bool depthwise = false;
  DepthwiseSchedule dw;
  bool pointwise = false;
  PointwiseSchedule pw;

  ConvSchedule(const Space& space, const Config& c) {
    auto factors = [&](ConvKnob knob) { return std::get<Factors>(space.Value(c, knob)); };
    auto number = [&](ConvKnob knob) { return std::get<int64_t>(space.Value(c, knob)); };
    f = factors(kTileF);
    y = factors(kTileY);
    x = factors(kTileX);
    rc = factors(kTileRc);
    ry = factors(kTileRy);
    rx = factors(kTileRx);
    unroll_step = number(kAutoUnroll);
    unroll_explicit = number(kUnrollExplicit) != 0;
    vec = static_cast<int>(number(kVec));
    parallel = std::get<std::string>(space.Value(c, kParallel));
    packed = std::get<std::string>(space.Value(c, kLayout)) == "nchwc";
    winograd_m = static_cast<int>(number(kWinograd));
    depthwise = number(kDepthwise) != 0;
    if (depthwise) {
      const std::vector<std::string>& names = DepthwisePaddingNames();
      const auto name =
          std::find(names.begin(), names.end(), std::get<std::string>(space.Value(c, kDwPadding)));
      dw.padding = static_cast<DepthwisePadding>(name - names.begin());
      dw.vec = vec;
      dw.rows = static_cast<int>(number(kDwRows));
      dw.channels = static_cast<int>(number(kDwChannels));
    }
    pointwise = number(kPointwise) != 0;
    if (pointwise) {
      pw.vec = vec;
      pw.rows = static_cast<int>(number(kPwRows));
      pw.cols = static_cast<int>(number(kPwCols));
      pw.tiles_p = static_cast<int>(number(kPwTilesP));
      pw.tiles_k = static_cast<int>(number(kPwTilesK));
      pw.pack = number(kPwPack) != 0;
      pw.block_c = static_cast<int>(number(kPwBlockC));
      pw.channel_vectors = number(kPwVectors) != 0;
    }
    if (winograd_m == 0) return;
    winograd.m = winograd_m;
    winograd.k_inner = factors(kWinoTileK)[1];
    winograd.t_inner = static_cast<int>(number(kWinoTileT));
    winograd.vec = vec;
    winograd.parallel_tiles = number(kWinoParallelTiles) != 0;
  }

  // Extent of the vectorised register-tile dimension.
  int64_t vector_extent() const { return packed ? f[2] : x[2]; }
  int64_t accumulators() const { return f[2] * x[2] * y[2] / vec; }
};

bool IsValidConvConfig(const Conv2dShape& shape, const Space& space, const Config& config) {
  const ConvSchedule schedule(space, config);
  if (schedule.depthwise) return DepthwiseScheduleFits(shape, schedule.dw);
  if (schedule.pointwise) return PointwiseScheduleFits(shape, schedule.pw);
  if (schedule.winograd_m) {
    const WinogradSchedule& w = schedule.winograd;
    return w.k_inner % w.vec == 0 && w.k_inner / w.vec * w.t_inner <= kMaxAccumulators;
  }
  // In NHWC only vectors along channels are dense: along columns they would gather.
  if (shape.layout == TensorLayout::kNhwc && !schedule.packed) return false;
  return schedule.vector_extent() % schedule.vec == 0 &&
         schedule.accumulators() <= kMaxAccumulators;
}

// The output channels the kernel computes.
int64_t PaddedChannels(const Conv2dShape& shape) { return PaddedToNarrowestVector(shape.k); }

Space MakeConvSpace(const Conv2dShape& shape) {
  std::vector<Knob> knobs(kPwVectors + 1);
  knobs[kTileF] = SplitKnob("tile_f", PaddedChannels(shape), 3);
  knobs[kTileY] = SplitKnob("tile_y", shape.out_h(), 3);
  knobs[kTileX] = SplitKnob("tile_x", shape.out_w(), 3);
  knobs[kTileRc] = SplitKnob("tile_rc", shape.channels_per_group(), 2);
  knobs[kTileRy] = SplitKnob("tile_ry", shape.r, 2);
  knobs[kTileRx] = SplitKnob("tile_rx", shape.s, 2);
  knobs[kAutoUnroll] = AutoUnrollKnob();
  knobs[kUnrollExplicit] = UnrollExplicitKnob();
  knobs[kVec] = VectorWidthKnob();
  knobs[kParallel] = {"parallel", {std::string("k"), std::string("k_y"), std::string("k_y_x")}};
  knobs[kLayout] = {"layout", {std::string("nchw"), std::string("nchwc")}};
  auto numbers = [](std::initializer_list<int64_t> values) {
    return std::vector<KnobValue>(values.begin(), values.end());
  };
  const int64_t channels = PaddedChannels(shape);
  if (WinogradApplies(shape)) {
    knobs[kWinograd] = {"winograd", numbers({0, 2, 4})};
    knobs[kWinoTileK] = SplitKnob("wino_tile_k", channels, 2);
    knobs[kWinoTileT] = {"wino_tile_t", numbers({1, 2, 3, 4, 6, 8})};
    knobs[kWinoParallelTiles] = {"wino_parallel_tiles", numbers({0, 1})};
  } else {
    knobs[kWinograd] = {"winograd", numbers({0})};
    knobs[kWinoTileK] = {"wino_tile_k", {Factors{1, channels}}};
    knobs[kWinoTileT] = {"wino_tile_t", numbers({1})};
    knobs[kWinoParallelTiles] = {"wino_parallel_tiles", numbers({0})};
  }
  // The depthwise knobs keep only their first value where the kernel does not apply.
  const bool depthwise = DepthwiseApplies(shape);
  auto depthwise_knob = [depthwise](std::string name, std::vector<KnobValue> values) {
    if (!depthwise) values.resize(1);
    return Knob{std::move(name), std::move(values)};
  };
  auto from = [](const auto& values) {
    return std::vector<KnobValue>(values.begin(), values.end());
  };
  knobs[kDepthwise] = depthwise_knob("depthwise", numbers({0, 1}));
  knobs[kDwPadding] = depthwise_knob("dw_padding", from(DepthwisePaddingChoices(shape)));
  knobs[kDwRows] = depthwise_knob("dw_rows", from(DepthwiseRowChoices(shape)));
  knobs[kDwChannels] = depthwise_knob("dw_channels", from(DepthwiseChannelChoices(shape)));
  // So do the pointwise knobs.
  const bool pointwise = PointwiseApplies(shape);
  auto pointwise_knob = [pointwise](std::string name, std::vector<KnobValue> values) {
    if (!pointwise) values.resize(1);
    return Knob{std::move(name), std::move(values)};
  };
  knobs[kPointwise] = pointwise_knob("pointwise", numbers({0, 1}));
  knobs[kPwRows] = pointwise_knob("pw_rows", from(PointwiseRowChoices()));
  knobs[kPwCols] = pointwise_knob("pw_cols", from(PointwiseColChoices()));
  knobs[kPwTilesP] = pointwise_knob("pw_tiles_p", from(PointwiseTileChoices()));
  knobs[kPwTilesK] = pointwise_knob("pw_tiles_k", from(PointwiseTileChoices()));
  knobs[kPwPack] = pointwise_knob("pw_pack", numbers({0, 1}));
  knobs[kPwBlockC] = pointwise_knob("pw_block_c", from(PointwiseBlockChoices(shape)));
  knobs[kPwVectors] = pointwise_knob("pw_channel_vectors", numbers({0, 1}));
  return Space(std::move(knobs), [shape](const Space& space, const Config& config) {
    return IsValidConvConfig(shape, space, config);
  });
}

class Conv2dTemplate : public HalideTemplate {
 public:
  explicit Conv2dTemplate(const Conv2dShape& shape)
      : HalideTemplate(shape, MakeConvSpace(shape), shape.n * shape.c * shape.h * shape.w,
                       shape.k * shape.channels_per_group() * shape.r * shape.s),
        shape_(shape) {}

  std::string name() const override { return "conv2d_cpu"; }
  // 2: 3x3 stride-1 layers gained the Winograd algorithm.
  // 3: depthwise layers gained their own kernel (depthwise_conv2d.h).
  // 4: pointwise layers gained their own kernel (pointwise_conv2d.h).
  int version() const override { return 4; }

  std::vector<float> Reference(const OperatorData& data) const override;
  LoopNest DescribeLoops(const Config& config) const override;
  // The nest with the activation it reads described in NCHW order whatever the layout.
  LoopNest DescribeLoopsInNchw(const Config& config) const;
  Config Canonical(const Config& config) const override;

 protected:
  std::vector<std::string> DefaultCandidates() const override {
    // One block of output channels per tile with a whole row of columns, as a hand-written
    // NCHWc kernel would start; the first one that fits the layer.
    const int64_t oh = shape_.out_h(), ow = shape_.out_w(), channels = PaddedChannels(shape_);
    std::vector<std::string> candidates;
    if (DepthwiseApplies(shape_)) {
      // Depthwise layers start from their own kernel.
      const DepthwiseSchedule dw = DefaultDepthwiseSchedule(shape_);
      Config config(space_.num_knobs(), 0);
      config[kDepthwise] = space_.ValueIndex(kDepthwise, int64_t{1});
      config[kVec] = space_.ValueIndex(kVec, int64_t{dw.vec});
      config[kDwPadding] =
          space_.ValueIndex(kDwPadding, DepthwisePaddingNames()[static_cast<int>(dw.padding)]);
      config[kDwRows] = space_.ValueIndex(kDwRows, int64_t{dw.rows});
      config[kDwChannels] = space_.ValueIndex(kDwChannels, int64_t{dw.channels});
      candidates.push_back(space_.ToText(config));
    }
    if (PointwiseApplies(shape_)) {
      // So do pointwise layers.
      const PointwiseSchedule pw = DefaultPointwiseSchedule(shape_);
      Config config(space_.num_knobs(), 0);
      config[kPointwise] = space_.ValueIndex(kPointwise, int64_t{1});
      config[kVec] = space_.ValueIndex(kVec, int64_t{pw.vec});
      config[kPwRows] = space_.ValueIndex(kPwRows, int64_t{pw.rows});
      config[kPwCols] = space_.ValueIndex(kPwCols, int64_t{pw.cols});
      config[kPwTilesP] = space_.ValueIndex(kPwTilesP, int64_t{pw.tiles_p});
      config[kPwTilesK] = space_.ValueIndex(kPwTilesK, int64_t{pw.tiles_k});
      config[kPwPack] = space_.ValueIndex(kPwPack, int64_t{pw.pack});
      config[kPwBlockC] = space_.ValueIndex(kPwBlockC, int64_t{pw.block_c});
      config[kPwVectors] = space_.ValueIndex(kPwVectors, int64_t{pw.channel_vectors});
      candidates.push_back(space_.ToText(config));
    }
    // A register tile of two vectors of output channels x a few output columns, the shape the
    // tuned direct kernels take (14 accumulators on AVX-512: 32 channels x 7 columns): on
    // ResNet-18's strided and first layers 2-9x faster than one vector of channels alone.
    const int64_t lanes = HostVectorRegisters().lanes, registers = HostVectorRegisters().registers;
    const int64_t tile_channels = 2 * lanes;
    int64_t tile_columns = 1;
    for (int64_t columns : {7, 8, 6, 4, 3, 2})
      if (ow % columns == 0 && 2 * columns + 4 <= registers) {
        tile_columns = columns;
        break;
      }
    if (channels % tile_channels == 0 && tile_columns > 1)
      candidates.push_back(
          "tile_f=" + std::to_string(channels / tile_channels) + "x1x" +
          std::to_string(tile_channels) + ";tile_y=" + std::to_string(oh) + "x1x1;tile_x=" +
          std::to_string(ow / tile_columns) + "x1x" + std::to_string(tile_columns) + ";tile_rc=1x" +
          std::to_string(shape_.channels_per_group()) + ";tile_ry=1x" + std::to_string(shape_.r) +
          ";tile_rx=1x" + std::to_string(shape_.s) +
          ";auto_unroll_max_step=0;unroll_explicit=0;vec=" + std::to_string(lanes) +
          ";parallel=k_y;layout=nchwc" + FirstValuesFrom(kWinograd));
    for (int64_t block : {16, 8, 4}) {
      if (channels % block) continue;
      candidates.push_back("tile_f=" + std::to_string(channels / block) + "x1x" +
                           std::to_string(block) + ";tile_y=" + std::to_string(oh) +
                           "x1x1;tile_x=1x" + std::to_string(ow) + "x1" + ";tile_rc=1x" +
                           std::to_string(shape_.channels_per_group()) + ";tile_ry=1x" +
                           std::to_string(shape_.r) + ";tile_rx=1x" + std::to_string(shape_.s) +
                           ";auto_unroll_max_step=0;unroll_explicit=0;vec=" +
                           std::to_string(std::min<int64_t>(block, 16)) +
                           ";parallel=k_y;layout=nchwc" + FirstValuesFrom(kWinograd));
    }
    return candidates;
  }

  std::unique_ptr<Kernel> BuildPipeline(const Config& config,
                                        const LayerBinding& layer) const override;

 private:
  // ";knob=value" with the first value of every knob from `first` on: the direct algorithm
  // and unused Winograd knobs, for texts that set the direct knobs.
  std::string FirstValuesFrom(size_t first) const {
    std::string text;
    for (size_t knob = first; knob < space_.knobs().size(); ++knob)
      text += ";" + space_.knobs()[knob].name + "=" + KnobValueText(space_.knobs()[knob].values[0]);
    return text;
  }

  Conv2dShape shape_;
};

std::vector<float> Conv2dTemplate::Reference(const OperatorData& data) const {
  return ReferenceConv2d(shape_, data.input, data.weights);
}

// The kernel-row and -column splits are adjacent loops inside the register tile's reductions,
// so a factor of 1 on either side gives the same loop; the unroll knobs count only through the
// reduction loops they unroll (BuildPipeline's order: rxi, rxo, ryi, ryo, rci).
Config Conv2dTemplate::Canonical(const Config& config) const {
  Config canonical = config;
  // The other algorithms' knobs take their first value.
  const bool winograd = std::get<int64_t>(space_.Value(config, kWinograd)) != 0;
  const bool depthwise = std::get<int64_t>(space_.Value(config, kDepthwise)) != 0;
  const bool pointwise = std::get<int64_t>(space_.Value(config, kPointwise)) != 0;
  const bool direct = !winograd && !depthwise && !pointwise;
  std::vector<int> ignored =
      direct ? std::vector<int>{}
             : std::vector<int>{kTileF,  kTileY,      kTileX,          kTileRc,   kTileRy,
                                kTileRx, kAutoUnroll, kUnrollExplicit, kParallel, kLayout};
  if (!winograd) ignored.insert(ignored.end(), {kWinoTileK, kWinoTileT, kWinoParallelTiles});
  if (!depthwise) ignored.insert(ignored.end(), {kDwPadding, kDwRows, kDwChannels});
  if (!pointwise)
    ignored.insert(ignored.end(),
                   {kPwRows, kPwCols, kPwTilesP, kPwTilesK, kPwPack, kPwBlockC, kPwVectors});
  for (int knob : ignored) canonical[knob] = 0;
  if (!direct) return canonical;
  CanonicalSplitOfOneLoop(space_, kTileRy, canonical);
  CanonicalSplitOfOneLoop(space_, kTileRx, canonical);
  const ConvSchedule sched(space_, canonical);
  CanonicalUnroll(space_, kAutoUnroll, kUnrollExplicit,
                  {sched.rx[1], sched.rx[0], sched.ry[1], sched.ry[0], sched.rc[1]}, canonical);
  return canonical;
}

LoopNest Conv2dTemplate::DescribeLoops(const Config& config) const {
  LoopNest nest = DescribeLoopsInNchw(config);
  // The activation the direct, pointwise and depthwise kernels read, stored channels-last.
  // (Winograd's nest reads its transformed input, described as the kernel stores it.)
  if (shape_.layout == TensorLayout::kNhwc && !ConvSchedule(space_, config).winograd_m)
    for (BufferAccess& access : nest.buffers)
      if (access.name == "input") access = ChannelsInnermost(std::move(access));
  return nest;
}

LoopNest Conv2dTemplate::DescribeLoopsInNchw(const Config& config) const {
  const ConvSchedule sched(space_, config);
  if (sched.winograd_m)
    return DescribeWinogradLoops(shape_, PaddedChannels(shape_), sched.winograd);
  if (sched.depthwise) return DescribeDepthwiseLoops(shape_, sched.dw);
  if (sched.pointwise) return DescribePointwiseLoops(shape_, sched.pw);
  const Conv2dShape& s = shape_;
  // The update stage of BuildPipeline inside the loops over cache tiles, outermost first.
  LoopNest nest;
  const bool par_y = sched.parallel != "k", par_x = sched.parallel == "k_y_x";
  const size_t n = nest.Add("n", s.n);
  const size_t ko = nest.Add("ko", sched.f[0], LoopKind::kParallel);
  const size_t yo = nest.Add("yo", sched.y[0], par_y ? LoopKind::kParallel : LoopKind::kSerial);
  const size_t xo = nest.Add("xo", sched.x[0], par_x ? LoopKind::kParallel : LoopKind::kSerial);
  const std::vector<bool> unroll =
      sched.unroll_explicit
          ? AutoUnroll({sched.rx[1], sched.rx[0], sched.ry[1], sched.ry[0], sched.rc[1]},
                       sched.unroll_step)
          : std::vector<bool>(5, false);
  auto maybe_unrolled = [&](int i) { return unroll[i] ? LoopKind::kUnrolled : LoopKind::kSerial; };
  const size_t rco = nest.Add("rco", sched.rc[0]);
  const size_t km = nest.Add("km", sched.f[1]);
  const size_t ym = nest.Add("ym", sched.y[1]);
  const size_t xm = nest.Add("xm", sched.x[1]);
  const size_t rci = nest.Add("rci", sched.rc[1], maybe_unrolled(4));
  const size_t ryo = nest.Add("ryo", sched.ry[0], maybe_unrolled(3));
  const size_t ryi = nest.Add("ryi", sched.ry[1], maybe_unrolled(2));
  const size_t rxo = nest.Add("rxo", sched.rx[0], maybe_unrolled(1));
  const size_t rxi = nest.Add("rxi", sched.rx[1], maybe_unrolled(0));
  const size_t yi = nest.Add("yi", sched.y[2], LoopKind::kUnrolled);
  const size_t ki = sched.packed ? nest.loops.size() + 1 : nest.loops.size();
  const size_t xi = sched.packed ? nest.loops.size() : nest.loops.size() + 1;
  nest.Add(sched.packed ? "xi" : "ki", sched.packed ? sched.x[2] : sched.f[2], LoopKind::kUnrolled);
  nest.Add(sched.packed ? "ki" : "xi", sched.vector_extent(), LoopKind::kVectorized);

  // Index expressions as coefficients over the loops.
  using Row = std::vector<int64_t>;
  auto scaled = [](Row r, int64_t by) {
    for (int64_t& v : r) v *= by;
    return r;
  };
  auto sum = [](Row a, const Row& b) {
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return a;
  };
  const Row out_x = nest.IndexRow({{xo, sched.x[1] * sched.x[2]}, {xm, sched.x[2]}, {xi, 1}});
  const Row out_y = nest.IndexRow({{yo, sched.y[1] * sched.y[2]}, {ym, sched.y[2]}, {yi, 1}});
  const Row out_k = nest.IndexRow({{ko, sched.f[1] * sched.f[2]}, {km, sched.f[2]}, {ki, 1}});
  const Row rx = nest.IndexRow({{rxo, sched.rx[1]}, {rxi, 1}});
  const Row ry = nest.IndexRow({{ryo, sched.ry[1]}, {ryi, 1}});
  const Row rc = nest.IndexRow({{rco, sched.rc[1]}, {rci, 1}});
  const Row batch = nest.IndexRow({{n, 1}});

  nest.buffers.push_back(
      {"input",
       4,
       {s.w + 2 * s.pad, s.h + 2 * s.pad, s.c, s.n},
       {sum(scaled(out_x, s.stride), rx), sum(scaled(out_y, s.stride), ry), rc, batch}});
  const int64_t channels = PaddedChannels(s);
  if (sched.packed) {
    const int64_t block = sched.f[2];
    nest.buffers.push_back(
        {"weights",
         4,
         {block, s.s, s.r, s.channels_per_group(), channels / block},
         {nest.IndexRow({{ki, 1}}), rx, ry, rc, nest.IndexRow({{ko, sched.f[1]}, {km, 1}})}});
    nest.buffers.push_back(
        {"accumulators", 4, {channels, s.out_w(), s.out_h(), s.n}, {out_k, out_x, out_y, batch}});
  } else {
    nest.buffers.push_back(
        {"weights", 4, {s.s, s.r, s.channels_per_group(), channels}, {rx, ry, rc, out_k}});
    nest.buffers.push_back(
        {"accumulators", 4, {s.out_w(), s.out_h(), channels, s.n}, {out_x, out_y, out_k, batch}});
  }
  return nest;
}

std::unique_ptr<Kernel> Conv2dTemplate::BuildPipeline(const Config& config,
                                                      const LayerBinding& layer) const {
  const ConvSchedule sched(space_, config);
  if (sched.winograd_m)
    return BuildWinogradConv2d(shape_, PaddedChannels(shape_), sched.winograd, layer);
  if (sched.depthwise) return BuildDepthwiseConv2d(shape_, sched.dw, layer);
  if (sched.pointwise) return BuildPointwiseConv2d(shape_, sched.pw, layer);
  const Conv2dShape& s = shape_;
  const int W = int(s.w), H = int(s.h), C = int(s.c), K = int(s.k), N = int(s.n);
  const int R = int(s.r), S = int(s.s), stride = int(s.stride), pad = int(s.pad);
  const int Cg = int(s.channels_per_group()), Kg = int(s.k / s.groups);
  const int OH = int(s.out_h()), OW = int(s.out_w());
  const int KP = int(PaddedChannels(s));  // what the kernel computes, K and more
  const int block = int(sched.f[2]);

  const TensorLayout layout = s.layout;
  const bool nhwc = layout == TensorLayout::kNhwc;
  std::vector<Halide::Buffer<float>> owned;
  ImageParam input(Halide::Float(32), 4, "input");
  SetActivationShape(input, {W, H, C, N}, layout);
  input.set(WrapActivation(layer.input, {W, H, C, N}, layout));

  ImageParam weights(Halide::Float(32), sched.packed ? 5 : 4, "weights");
  if (sched.packed) {
    // Blocked weights, packed once here as oneDNN reorders them outside the timed region.
    Halide::Buffer<float> packed(block, S, R, Cg, KP / block);
    packed.fill(0.f);  // the padding channels' weights
    for (int k = 0; k < K; ++k)
      for (int c = 0; c < Cg; ++c)
        for (int r = 0; r < R; ++r)
          for (int q = 0; q < S; ++q)
            packed(k % block, q, r, c, k / block) = layer.weights[((k * Cg + c) * R + r) * S + q];
    SetDenseShape(weights, {block, S, R, Cg, KP / block});
    weights.set(packed);
    owned.push_back(packed);
  } else if (KP != K) {
    Halide::Buffer<float> padded =
        ZeroPaddedCopy(layer.weights, size_t(S) * R * Cg * K, {S, R, Cg, KP});
    SetDenseShape(weights, {S, R, Cg, KP});
    weights.set(padded);
    owned.push_back(padded);
  } else {
    SetDenseShape(weights, {S, R, Cg, K});
    weights.set(WrapBuffer(layer.weights, {S, R, Cg, K}));
  }

  Var x("x"), y("y"), k("k"), n("n");
  Func padded = ZeroPadded(input, W, H, pad);

  RDom red(0, S, 0, R, 0, Cg, "red");
  // A padding channel reads the last real channel's group: its weights are zero, and the input
  // it reads must exist.
  Expr group = (KP == K ? Expr(k) : Halide::min(k, K - 1)) / Kg;
  Expr cin = s.groups == 1 ? Expr(red.z) : group * Cg + red.z;
  Expr w = sched.packed ? weights(k % block, red.x, red.y, red.z, k / block)
                        : weights(red.x, red.y, red.z, k);
  Func conv("conv");
  conv(x, y, k, n) = 0.f;
  conv(x, y, k, n) += w * padded(x * stride + red.x, y * stride + red.y, cin, n);
  Func output("output");
  output(x, y, k, n) =
      LayerEpilogue(conv(x, y, k, n), layer, {x, y, k, n}, k, {OW, OH, K, N}, K, layout);
  output.bound(x, 0, OW).bound(y, 0, OH).bound(k, 0, K).bound(n, 0, N);
  SetActivationShape(output.output_buffer(), {OW, OH, K, N}, layout);

  // Padding is materialised once, so that the inner loops read without bounds selects; in the
  // input's layout, vectorised along its contiguous dimension.
  if (pad == 0) {
    padded.compute_inline();
  } else if (nhwc) {
    ComputeRootChannelsLast(padded, 8);
  } else {
    const std::vector<Var> at = padded.args();  // x, y, c, n
    padded.compute_root().parallel(at[2]).vectorize(at[0], 8, Halide::TailStrategy::GuardWithIf);
  }

  // Cache tiles of the output, and the parallel loop over them.
  Var ko("ko"), kt("kt"), yo("yo"), yt("yt"), xo("xo"), xt("xt"), tile("tile");
  const int tile_k = int(sched.f[1] * sched.f[2]);
  const int tile_y = int(sched.y[1] * sched.y[2]);
  const int tile_x = int(sched.x[1] * sched.x[2]);
  // With padding, the last channel tile is cut short where it is stored (guarded), while the
  // accumulators keep whole register tiles: their region is rounded out to the block, which the
  // padding channels' zero weights cover.
  const auto channel_tail =
      KP == K ? Halide::TailStrategy::Auto : Halide::TailStrategy::GuardWithIf;
  output.split(k, ko, kt, tile_k, channel_tail).split(y, yo, yt, tile_y).split(x, xo, xt, tile_x);
  if (nhwc) {
    output.reorder(kt, xt, yt, xo, yo, ko, n);
  } else {
    output.reorder(xt, yt, kt, xo, yo, ko, n);
  }
  Var tile_loop = xo;
  if (sched.parallel == "k") {
    output.parallel(ko);
  } else if (sched.parallel == "k_y") {
    output.fuse(yo, ko, tile).parallel(tile);
  } else {
    output.fuse(xo, yo, tile).fuse(tile, ko, tile).parallel(tile);
    tile_loop = tile;
  }
  // Stored with vectors along the output's contiguous dimension: in NCHW the accumulators'
  // channel vectors (layout=nchwc) are scattered a plane apart here, in NHWC they are stored
  // as they are.
  if (nhwc) {
    if (tile_k >= sched.vec) output.vectorize(kt, sched.vec, Halide::TailStrategy::GuardWithIf);
  } else if (tile_x >= sched.vec) {
    output.vectorize(xt, sched.vec, Halide::TailStrategy::GuardWithIf);
  }

  // The tile's accumulators, stored with the vectorised dimension innermost.
  conv.compute_at(output, tile_loop);
  if (KP != K) conv.align_bounds(k, block);
  if (sched.packed) {
    conv.reorder_storage(k, x, y, n).reorder(k, x, y, n).vectorize(k, sched.vec);
  } else {
    conv.vectorize(x, sched.vec);
  }

  Var km("km"), ki("ki"), ym("ym"), yi("yi"), xm("xm"), xi("xi");
  RVar rxo("rxo"), rxi("rxi"), ryo("ryo"), ryi("ryi"), rco("rco"), rci("rci");
  Halide::Stage update = conv.update();
  update.split(k, km, ki, int(sched.f[2]))
      .split(y, ym, yi, int(sched.y[2]))
      .split(x, xm, xi, int(sched.x[2]))
      .split(red.x, rxo, rxi, int(sched.rx[1]))
      .split(red.y, ryo, ryi, int(sched.ry[1]))
      .split(red.z, rco, rci, int(sched.rc[1]));
  // Register tile innermost, then the reduction in its natural order, then the rest of the
  // tile, with the input-channel blocks outermost for cache reuse.
  const Var vector_var = sched.packed ? ki : xi;
  const Var unrolled_var = sched.packed ? xi : ki;
  update.reorder(vector_var, unrolled_var, yi, rxi, rxo, ryi, ryo, rci, xm, ym, km, rco, n);
  update.vectorize(vector_var, sched.vec);
  if (sched.vector_extent() > sched.vec) update.unroll(vector_var);
  update.unroll(unrolled_var).unroll(yi);
  if (sched.unroll_explicit) {
    const std::vector<int64_t> extents = {sched.rx[1], sched.rx[0], sched.ry[1], sched.ry[0],
                                          sched.rc[1]};
    const RVar loops[] = {rxi, rxo, ryi, ryo, rci};
    const std::vector<bool> unroll = AutoUnroll(extents, sched.unroll_step);
    for (size_t i = 0; i < unroll.size(); ++i)
      if (unroll[i]) update.unroll(loops[i]);
  }

  Halide::Buffer<float> out = ActivationBuffer(layer.output, {OW, OH, K, N}, layout, owned);
  return CompileKernel(Halide::Pipeline(output), out, std::move(owned));
}

}  // namespace

std::unique_ptr<OperatorTemplate> MakeConv2dTemplate(const Conv2dShape& shape) {
  return std::make_unique<Conv2dTemplate>(shape);
}

}  // namespace tessel
