// The dense (fully connected) schedule template (CPU): out(o, n) = sum_i W(o, i) * x(i, n).
//
//   tile_o    3-level split [outer, middle, inner] of the outputs, rounded up to a multiple of
//             4 (the narrowest vector) with zero weights, so that every layer has vectorised
//             schedules; inner is the register tile, vectorised by `vec`.
//   tile_i    2-level split of the reduction; the unroll knobs act on its inner part.
//   auto_unroll_max_step, unroll_explicit   as in conv2d.
//   parallel  none, or the outer output loop.
//   layout    oi: weights as given (vectors gather along o); packed: weights blocked by
//             tile_o's inner factor so that vectors load contiguously.
// Dense layers at batch 1 stream their weights once, so they are memory bound.
#include "core/overloaded.h"
#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/reference_ops.h"
#include "problems/schedule/template_knobs.h"

namespace tessel {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::RVar;
using Halide::Var;

enum DenseKnob { kTileO, kTileI, kAutoUnroll, kUnrollExplicit, kVec, kParallel, kLayout };

constexpr int kMaxAccumulators = 32;

struct DenseSchedule {
  Factors o, i;
  int64_t unroll_step;
  bool unroll_explicit;
  int vec;
  bool parallel;
  bool packed;

  DenseSchedule(const Space& space, const Config& c) {
    o = std::get<Factors>(space.Value(c, kTileO));
    i = std::get<Factors>(space.Value(c, kTileI));
    unroll_step = std::get<int64_t>(space.Value(c, kAutoUnroll));
    unroll_explicit = std::get<int64_t>(space.Value(c, kUnrollExplicit)) != 0;
    vec = static_cast<int>(std::get<int64_t>(space.Value(c, kVec)));
    parallel = std::get<std::string>(space.Value(c, kParallel)) == "o";
    packed = std::get<std::string>(space.Value(c, kLayout)) == "packed";
  }
};

bool IsValidDenseConfig(const Space& space, const Config& config) {
  const DenseSchedule schedule(space, config);
  return schedule.o[2] % schedule.vec == 0 && schedule.o[2] / schedule.vec <= kMaxAccumulators;
}

// The outputs the kernel computes.
int64_t PaddedOutputs(const DenseShape& shape) { return PaddedToNarrowestVector(shape.out); }

Space MakeDenseSpace(const DenseShape& shape) {
  std::vector<Knob> knobs(kLayout + 1);
  knobs[kTileO] = SplitKnob("tile_o", PaddedOutputs(shape), 3);
  knobs[kTileI] = SplitKnob("tile_i", shape.in, 2);
  knobs[kAutoUnroll] = AutoUnrollKnob();
  knobs[kUnrollExplicit] = UnrollExplicitKnob();
  knobs[kVec] = VectorWidthKnob();
  knobs[kParallel] = {"parallel", {std::string("none"), std::string("o")}};
  knobs[kLayout] = {"layout", {std::string("oi"), std::string("packed")}};
  return Space(std::move(knobs), IsValidDenseConfig);
}

class DenseTemplate : public HalideTemplate {
 public:
  explicit DenseTemplate(const DenseShape& shape)
      : HalideTemplate(shape, MakeDenseSpace(shape), shape.n * shape.in, shape.out * shape.in),
        shape_(shape) {}

  std::string name() const override { return "dense_cpu"; }
  int version() const override { return 1; }

  std::vector<float> Reference(const OperatorData& data) const override;
  LoopNest DescribeLoops(const Config& config) const override;
  Config Canonical(const Config& config) const override;

 protected:
  std::vector<std::string> DefaultCandidates() const override {
    std::vector<std::string> candidates;
    const int64_t outputs = PaddedOutputs(shape_);
    for (int64_t block : {16, 8, 4}) {
      if (outputs % block) continue;
      candidates.push_back("tile_o=" + std::to_string(outputs / block) + "x1x" +
                           std::to_string(block) + ";tile_i=1x" + std::to_string(shape_.in) +
                           ";auto_unroll_max_step=0;unroll_explicit=0;vec=" +
                           std::to_string(block) + ";parallel=o;layout=packed");
    }
    return candidates;
  }

  std::unique_ptr<Kernel> BuildPipeline(const Config& config,
                                        const LayerBinding& layer) const override;

 private:
  DenseShape shape_;
};

std::vector<float> DenseTemplate::Reference(const OperatorData& data) const {
  return ReferenceDense(shape_, data.input, data.weights);
}

// The reduction's split [n, 1] is the loop [1, n] is (the outer and inner reduction loops are
// adjacent), and the unroll knobs count only through whether they unroll the inner loop.
Config DenseTemplate::Canonical(const Config& config) const {
  Config canonical = config;
  CanonicalSplitOfOneLoop(space_, kTileI, canonical);
  const DenseSchedule sched(space_, canonical);
  CanonicalUnroll(space_, kAutoUnroll, kUnrollExplicit, {sched.i[1]}, canonical);
  return canonical;
}

LoopNest DenseTemplate::DescribeLoops(const Config& config) const {
  const DenseSchedule sched(space_, config);
  const int64_t outputs = PaddedOutputs(shape_);
  // The update stage of BuildPipeline inside the loop over output tiles, outermost first.
  LoopNest nest;
  const size_t n = nest.Add("n", shape_.n);
  const size_t oo =
      nest.Add("oo", sched.o[0], sched.parallel ? LoopKind::kParallel : LoopKind::kSerial);
  const size_t om = nest.Add("om", sched.o[1]);
  const size_t ro = nest.Add("ro", sched.i[0]);
  const bool unroll_ri = sched.unroll_explicit && AutoUnroll({sched.i[1]}, sched.unroll_step)[0];
  const size_t ri = nest.Add("ri", sched.i[1], unroll_ri ? LoopKind::kUnrolled : LoopKind::kSerial);
  const size_t oi = nest.Add("oi", sched.o[2], LoopKind::kVectorized);
  const auto r = nest.IndexRow({{ro, sched.i[1]}, {ri, 1}});
  const auto o = nest.IndexRow({{oo, sched.o[1] * sched.o[2]}, {om, sched.o[2]}, {oi, 1}});
  const auto batch = nest.IndexRow({{n, 1}});
  nest.buffers.push_back({"input", 4, {shape_.in, shape_.n}, {r, batch}});
  if (sched.packed) {
    nest.buffers.push_back(
        {"weights",
         4,
         {sched.o[2], shape_.in, outputs / sched.o[2]},
         {nest.IndexRow({{oi, 1}}), r, nest.IndexRow({{oo, sched.o[1]}, {om, 1}})}});
  } else {
    nest.buffers.push_back({"weights", 4, {shape_.in, outputs}, {r, o}});
  }
  nest.buffers.push_back({"accumulators", 4, {outputs, shape_.n}, {o, batch}});
  return nest;
}

std::unique_ptr<Kernel> DenseTemplate::BuildPipeline(const Config& config,
                                                     const LayerBinding& layer) const {
  const DenseSchedule sched(space_, config);
  const int IN = int(shape_.in), OUT = int(shape_.out), N = int(shape_.n);
  const int PADDED = int(PaddedOutputs(shape_));  // what the kernel computes, OUT and more
  const int block = int(sched.o[2]);

  ImageParam input(Halide::Float(32), 2, "input");
  SetDenseShape(input, {IN, N});
  input.set(WrapBuffer(layer.input, {IN, N}));
  std::vector<Halide::Buffer<float>> owned;
  ImageParam weights(Halide::Float(32), sched.packed ? 3 : 2, "weights");
  if (sched.packed) {
    Halide::Buffer<float> packed(block, IN, PADDED / block);
    packed.fill(0.f);  // the padding outputs' weights
    for (int o = 0; o < OUT; ++o)
      for (int i = 0; i < IN; ++i) packed(o % block, i, o / block) = layer.weights[o * IN + i];
    SetDenseShape(weights, {block, IN, PADDED / block});
    weights.set(packed);
    owned.push_back(packed);
  } else if (PADDED != OUT) {
    Halide::Buffer<float> padded = ZeroPaddedCopy(layer.weights, size_t(IN) * OUT, {IN, PADDED});
    SetDenseShape(weights, {IN, PADDED});
    weights.set(padded);
    owned.push_back(padded);
  } else {
    SetDenseShape(weights, {IN, OUT});
    weights.set(WrapBuffer(layer.weights, {IN, OUT}));
  }

  Var o("o"), n("n");
  RDom r(0, IN, "r");
  Expr w = sched.packed ? weights(o % block, r, o / block) : weights(r, o);
  Func dense("dense");
  dense(o, n) = 0.f;
  dense(o, n) += w * input(r, n);
  Func output("output");
  output(o, n) = LayerEpilogue(dense(o, n), layer, {o, n}, o, {OUT, N}, OUT);
  output.bound(o, 0, OUT).bound(n, 0, N);
  SetDenseShape(output.output_buffer(), {OUT, N});

  // With padding, the last output tile is cut short (guarded) while the accumulators keep
  // whole register tiles: their region is rounded out to the block, which the zero weights
  // of the padding outputs cover.
  Var oo("oo"), ot("ot"), om("om"), oi("oi");
  const auto tail = PADDED == OUT ? Halide::TailStrategy::Auto : Halide::TailStrategy::GuardWithIf;
  output.split(o, oo, ot, int(sched.o[1] * sched.o[2]), tail).reorder(ot, oo, n);
  if (sched.parallel) output.parallel(oo);
  output.vectorize(ot, sched.vec, tail);
  dense.compute_at(output, oo).vectorize(o, sched.vec);
  if (PADDED != OUT) dense.align_bounds(o, block);

  RVar ro("ro"), ri("ri");
  Halide::Stage update = dense.update();
  update.split(o, om, oi, block).split(r, ro, ri, int(sched.i[1])).reorder(oi, ri, ro, om, n);
  update.vectorize(oi, sched.vec);
  if (block > sched.vec) update.unroll(oi);
  if (sched.unroll_explicit && AutoUnroll({sched.i[1]}, sched.unroll_step)[0]) update.unroll(ri);

  Halide::Buffer<float> out =
      layer.output ? Halide::Buffer<float>(layer.output, {OUT, N}) : Halide::Buffer<float>(OUT, N);
  return CompileKernel(Halide::Pipeline(output), out, std::move(owned));
}

}  // namespace

std::unique_ptr<OperatorTemplate> MakeDenseTemplate(const DenseShape& shape) {
  return std::make_unique<DenseTemplate>(shape);
}

std::unique_ptr<OperatorTemplate> MakeConv2dTemplate(const Conv2dShape& shape);

std::unique_ptr<OperatorTemplate> MakeOperatorTemplate(const Workload& workload) {
  // Workloads from networks (the zoo, ONNX files) reach here without a spec to parse.
  CheckWorkloadFits(workload);
  return std::visit(Overloaded{[](const Conv2dShape& conv) { return MakeConv2dTemplate(conv); },
                               [](const DenseShape& dense) { return MakeDenseTemplate(dense); }},
                    workload);
}

}  // namespace tessel
