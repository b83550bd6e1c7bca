#include "problems/schedule/winograd_conv2d.h"

#include <functional>
#include <vector>

#include "problems/schedule/halide_kernel.h"

namespace tessel {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::Var;

using Matrix = std::vector<std::vector<double>>;

// The transform matrices of F(m x m, 3 x 3) with the interpolation points Lavin and Gray
// use (0, +-1 for m = 2; 0, +-1, +-2 for m = 4), the ones oneDNN and TVM use too.
struct WinogradMatrices {
  Matrix bt;  // alpha x alpha: input tile -> transformed tile
  Matrix g;   // alpha x 3: kernel -> transformed kernel
  Matrix at;  // m x alpha: transformed product -> output tile
};

const WinogradMatrices& MatricesFor(int m) {
  static const WinogradMatrices f2 = {
      {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
      {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
      {{1, 1, 1, 0}, {0, 1, -1, -1}},
  };
  static const WinogradMatrices f4 = {
      {{4, 0, -5, 0, 1, 0},
       {0, -4, -4, 1, 1, 0},
       {0, 4, -4, -1, 1, 0},
       {0, -2, -1, 2, 1, 0},
       {0, 2, -1, -2, 1, 0},
       {0, 4, 0, -5, 0, 1}},
      {{1.0 / 4, 0, 0},
       {-1.0 / 6, -1.0 / 6, -1.0 / 6},
       {-1.0 / 6, 1.0 / 6, -1.0 / 6},
       {1.0 / 24, 1.0 / 12, 1.0 / 6},
       {1.0 / 24, -1.0 / 12, 1.0 / 6},
       {0, 0, 1}},
      {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}},
  };
  return m == 2 ? f2 : f4;
}

// sum_i coefficients[i] * term(i) as one expression, without the zero terms and the
// multiplications by one that the matrices are full of.
Expr Combination(const std::vector<double>& coefficients, const std::function<Expr(int)>& term) {
  Expr sum;
  for (size_t i = 0; i < coefficients.size(); ++i) {
    const double c = coefficients[i];
    if (c == 0) continue;
    Expr t = term(static_cast<int>(i));
    if (c == -1) {
      sum = sum.defined() ? sum - t : -t;
      continue;
    }
    if (c != 1) t = t * static_cast<float>(c);
    sum = sum.defined() ? sum + t : t;
  }
  return sum.defined() ? sum : Expr(0.f);
}

// U = G g G^T for every output channel (padded ones stay zero) and input channel, blocked as
// the product reads it: (k_inner, c, e, k / k_inner), vectors along the output channels.
Halide::Buffer<float> TransformedWeights(const Conv2dShape& shape, int64_t padded_k,
                                         int64_t k_inner, const Matrix& g, const float* weights) {
  const int alpha = static_cast<int>(g.size());
  const int C = static_cast<int>(shape.c), K = static_cast<int>(shape.k);
  Halide::Buffer<float> u(static_cast<int>(k_inner), C, alpha * alpha,
                          static_cast<int>(padded_k / k_inner));
  u.fill(0.f);
  std::vector<double> half(alpha * 3);  // G g for one (k, c)
  for (int k = 0; k < K; ++k)
    for (int c = 0; c < C; ++c) {
      const float* kernel = weights + (static_cast<size_t>(k) * C + c) * 9;
      for (int e = 0; e < alpha; ++e)
        for (int b = 0; b < 3; ++b) {
          double sum = 0;
          for (int a = 0; a < 3; ++a) sum += g[e][a] * kernel[a * 3 + b];
          half[e * 3 + b] = sum;
        }
      for (int e1 = 0; e1 < alpha; ++e1)
        for (int e2 = 0; e2 < alpha; ++e2) {
          double sum = 0;
          for (int b = 0; b < 3; ++b) sum += half[e1 * 3 + b] * g[e2][b];
          u(static_cast<int>(k % k_inner), c, e1 * alpha + e2, static_cast<int>(k / k_inner)) =
              static_cast<float>(sum);
        }
    }
  return u;
}

}  // namespace

bool WinogradApplies(const Conv2dShape& shape) {
  return shape.r == 3 && shape.s == 3 && shape.stride == 1 && shape.groups == 1;
}

namespace {

// Tiles of m x m outputs, rounded up to whole register tiles.
int TileCount(const Conv2dShape& shape, const WinogradSchedule& schedule) {
  const int m = schedule.m;
  const int64_t tiles = ((shape.out_w() + m - 1) / m) * ((shape.out_h() + m - 1) / m);
  return static_cast<int>((tiles + schedule.t_inner - 1) / schedule.t_inner * schedule.t_inner);
}

}  // namespace

LoopNest DescribeWinogradLoops(const Conv2dShape& shape, int64_t padded_k,
                               const WinogradSchedule& schedule) {
  const int alpha = schedule.m + 2, positions = alpha * alpha;
  const int64_t tiles = TileCount(shape, schedule);
  LoopNest nest;
  const size_t n = nest.Add("n", shape.n);
  const size_t e = nest.Add("e", positions, LoopKind::kParallel);
  const size_t ko = nest.Add("ko", padded_k / schedule.k_inner, LoopKind::kParallel);
  const size_t to = nest.Add("to", tiles / schedule.t_inner,
                             schedule.parallel_tiles ? LoopKind::kParallel : LoopKind::kSerial);
  const size_t rc = nest.Add("rc", shape.c);
  const size_t ti = nest.Add("ti", schedule.t_inner, LoopKind::kUnrolled);
  const size_t kvo = nest.Add("kvo", schedule.k_inner / schedule.vec, LoopKind::kUnrolled);
  const size_t kv = nest.Add("kv", schedule.vec, LoopKind::kVectorized);
  const auto tile = nest.IndexRow({{to, schedule.t_inner}, {ti, 1}});
  const auto channel = nest.IndexRow({{rc, 1}});
  const auto position = nest.IndexRow({{e, 1}});
  const auto batch = nest.IndexRow({{n, 1}});
  nest.buffers.push_back({"weights",
                          4,
                          {schedule.k_inner, shape.c, positions, padded_k / schedule.k_inner},
                          {nest.IndexRow({{kvo, schedule.vec}, {kv, 1}}), channel, position,
                           nest.IndexRow({{ko, 1}})}});
  // The transformed input, as BuildWinogradConv2d stores it: channels innermost in NHWC.
  if (shape.layout == TensorLayout::kNhwc) {
    nest.buffers.push_back(
        {"input", 4, {shape.c, tiles, positions, shape.n}, {channel, tile, position, batch}});
  } else {
    nest.buffers.push_back(
        {"input", 4, {tiles, shape.c, positions, shape.n}, {tile, channel, position, batch}});
  }
  nest.buffers.push_back({"accumulators",
                          4,
                          {padded_k, tiles, positions, shape.n},
                          {nest.IndexRow({{ko, schedule.k_inner}, {kvo, schedule.vec}, {kv, 1}}),
                           tile, position, batch}});
  return nest;
}

std::unique_ptr<Kernel> BuildWinogradConv2d(const Conv2dShape& shape, int64_t padded_k,
                                            const WinogradSchedule& schedule,
                                            const LayerBinding& layer) {
  const WinogradMatrices& mat = MatricesFor(schedule.m);
  const int m = schedule.m, alpha = m + 2, positions = alpha * alpha;
  const int W = int(shape.w), H = int(shape.h), C = int(shape.c), K = int(shape.k);
  const int N = int(shape.n), pad = int(shape.pad);
  const int OH = int(shape.out_h()), OW = int(shape.out_w());
  const int KP = int(padded_k), k_inner = int(schedule.k_inner), t_inner = schedule.t_inner;
  // Tiles cover the output in row-major order; the last row and column may hang over its
  // edge (their input reads zeros, their outputs are not stored), and the tile count is
  // rounded up to whole register tiles.
  const int tiles_w = (OW + m - 1) / m;
  const int tiles = TileCount(shape, schedule);

  const TensorLayout layout = shape.layout;
  const bool nhwc = layout == TensorLayout::kNhwc;
  std::vector<Halide::Buffer<float>> owned;
  ImageParam input(Halide::Float(32), 4, "input");
  SetActivationShape(input, {W, H, C, N}, layout);
  input.set(WrapActivation(layer.input, {W, H, C, N}, layout));
  Halide::Buffer<float> u = TransformedWeights(shape, padded_k, k_inner, mat.g, layer.weights);
  owned.push_back(u);
  ImageParam weights(Halide::Float(32), 4, "weights");
  SetDenseShape(weights, {k_inner, C, positions, KP / k_inner});
  weights.set(u);

  Var x("x"), y("y"), k("k"), n("n"), t("t"), c("c"), e("e"), j("j"), q("q");
  Var tx("tx"), ty("ty");
  // The input with its zero border, materialised once so that the transform reads without
  // bounds checks; it also covers tiles that hang over the output's edge.
  Func padded = ZeroPadded(input, W, H, pad);

  // 1. Input transform, one dimension at a time: rows = B^T d, then V = rows B. Tiles are
  // indexed by their column and row here, so that a vector of neighbouring tiles reads the
  // input with a constant stride (m) instead of gathering it.
  Func rows("winograd_rows");  // rows(j, e1, tx, ty, c, n): column j of B^T d
  std::vector<Expr> row_cases;
  for (int e1 = 0; e1 < alpha; ++e1)
    row_cases.push_back(
        Combination(mat.bt[e1], [&](int i) { return padded(tx * m + j, ty * m + i, c, n); }));
  rows(j, e, tx, ty, c, n) = Halide::mux(e, row_cases);
  Func v("winograd_input");  // v(tx, ty, c, e1 * alpha + e2, n)
  std::vector<Expr> v_cases;
  for (int e1 = 0; e1 < alpha; ++e1)
    for (int e2 = 0; e2 < alpha; ++e2)
      v_cases.push_back(
          Combination(mat.bt[e2], [&](int col) { return rows(col, e1, tx, ty, c, n); }));
  v(tx, ty, c, e, n) = Halide::mux(e, v_cases);

  // 2. The batched product over input channels, accumulated in registers.
  RDom rc(0, C, "rc");
  Func acc("winograd_acc");
  acc(k, t, e, n) = 0.f;
  acc(k, t, e, n) +=
      weights(k % k_inner, rc, e, k / k_inner) * v(t % tiles_w, t / tiles_w, rc, e, n);
  Func product("winograd_product");
  product(k, t, e, n) = acc(k, t, e, n);

  // 3. Output transform, one dimension at a time: cols = A^T M, then Y = cols A.
  Var i("i");
  Func cols("winograd_cols");  // cols(k, i, e2, t, n): row i of A^T M
  std::vector<Expr> col_cases;
  for (int row = 0; row < m; ++row)
    col_cases.push_back(
        Combination(mat.at[row], [&](int e1) { return product(k, t, e1 * alpha + e, n); }));
  cols(k, i, e, t, n) = Halide::mux(i, col_cases);
  Func tile_out("winograd_output");  // tile_out(k, i * m + j, t, n)
  std::vector<Expr> out_cases;
  for (int row = 0; row < m; ++row)
    for (int col = 0; col < m; ++col)
      out_cases.push_back(Combination(mat.at[col], [&](int e2) { return cols(k, row, e2, t, n); }));
  tile_out(k, q, t, n) = Halide::mux(q, out_cases);

  Func output("output");
  Expr value = tile_out(k, (y % m) * m + x % m, (y / m) * tiles_w + x / m, n);
  output(x, y, k, n) = LayerEpilogue(value, layer, {x, y, k, n}, k, {OW, OH, K, N}, K, layout);
  output.bound(x, 0, OW).bound(y, 0, OH).bound(k, 0, K).bound(n, 0, N);
  SetActivationShape(output.output_buffer(), {OW, OH, K, N}, layout);

  // Schedules. The transforms unroll over the tile's positions, so that each mux folds to the
  // one combination its position needs; they run over vectors of tiles (input, NCHW), of input
  // channels (input, NHWC: a pixel's channels are contiguous) and of output channels (output).
  const int lanes = 8;
  const auto channel_tail = Halide::TailStrategy::GuardWithIf;
  if (nhwc) {
    ComputeRootChannelsLast(padded, lanes);
    // Stored channels innermost too, so that the product's reduction over channels streams.
    Var co("co"), cv("cv");
    v.compute_root()
        .bound(e, 0, positions)
        .reorder_storage(c, tx, ty, e, n)
        .split(c, co, cv, lanes, channel_tail)
        .reorder(cv, e, co, tx, ty, n)
        .vectorize(cv)
        .unroll(e)
        .parallel(ty);
    rows.compute_at(v, co).reorder(c, j, e).vectorize(c, lanes, channel_tail).unroll(j).unroll(e);
  } else {
    const std::vector<Var> at = padded.args();  // x, y, c, n
    padded.compute_root().parallel(at[2]).vectorize(at[0], lanes, Halide::TailStrategy::RoundUp);
    Var txo("txo"), txv("txv");
    v.compute_root()
        .bound(e, 0, positions)
        .split(tx, txo, txv, lanes, Halide::TailStrategy::RoundUp)
        .reorder(e, txv, txo, ty, c, n)
        .vectorize(txv)
        .unroll(e)
        .parallel(c);
    rows.compute_at(v, txo).reorder(tx, j, e).vectorize(tx).unroll(j).unroll(e);
  }

  Var ko("ko"), ki("ki"), to("to"), ti("ti"), block("block");
  product.compute_root()
      .bound(k, 0, KP)
      .bound(t, 0, tiles)
      .bound(e, 0, positions)
      .split(k, ko, ki, k_inner)
      .split(t, to, ti, t_inner)
      .reorder(ki, ti, to, ko, e, n);
  Var acc_at = to;
  if (schedule.parallel_tiles) {
    product.fuse(to, ko, block).fuse(block, e, block).parallel(block);
    acc_at = block;
  } else {
    product.fuse(ko, e, block).parallel(block);
  }
  product.vectorize(ki, schedule.vec);
  acc.compute_at(product, acc_at).vectorize(k, schedule.vec).unroll(t);
  Var kvo("kvo"), kv("kv");
  acc.update()
      .split(k, kvo, kv, schedule.vec)
      .reorder(kv, kvo, t, rc)
      .vectorize(kv)
      .unroll(kvo)
      .unroll(t);

  tile_out.compute_root()
      .bound(q, 0, m * m)
      .bound(k, 0, KP)
      .reorder(k, q, t, n)
      .vectorize(k, schedule.vec)
      .unroll(q)
      .parallel(t);
  cols.compute_at(tile_out, t).reorder(k, e, i).vectorize(k, schedule.vec).unroll(e).unroll(i);

  if (nhwc) {
    output.reorder(k, x, y, n).parallel(y).vectorize(k, schedule.vec, channel_tail);
  } else {
    output.parallel(k).vectorize(x, lanes, Halide::TailStrategy::GuardWithIf);
  }

  Halide::Buffer<float> out = ActivationBuffer(layer.output, {OW, OH, K, N}, layout, owned);
  return CompileKernel(Halide::Pipeline(output), out, std::move(owned));
}

}  // namespace tessel
