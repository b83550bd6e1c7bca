#include "network/pool_kernels.h"

#include <algorithm>

#include "problems/schedule/halide_kernel.h"

namespace tessel {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::TailStrategy;
using Halide::Var;

namespace {

// Halide's extents of a {N, C, H, W} shape: innermost first.
std::vector<int> Extents(const Nchw& shape) {
  return {int(shape[3]), int(shape[2]), int(shape[1]), int(shape[0])};
}

// The input as a parameter with its shape fixed, bound to the caller's buffer.
ImageParam BoundInput(const float* input, const Nchw& in, TensorLayout layout) {
  const std::vector<int> extents = Extents(in);
  ImageParam source(Halide::Float(32), 4, "input");
  SetActivationShape(source, extents, layout);
  source.set(WrapActivation(input, extents, layout));
  return source;
}

}  // namespace

std::unique_ptr<Kernel> BuildPoolKernel(PoolKind kind, const PoolWindow& window, const float* input,
                                        const Nchw& in, float* output, const Nchw& out,
                                        TensorLayout layout) {
  const int N = int(in[0]), C = int(in[1]), H = int(in[2]), W = int(in[3]);
  const int OH = int(out[2]), OW = int(out[3]);
  const int K = int(window.kernel), S = int(window.stride), P = int(window.pad);
  try {
    const ImageParam source = BoundInput(input, in, layout);

    Var x("x"), y("y"), c("c"), n("n");
    RDom r(0, K, 0, K, "window");
    const Expr x0 = x * S - P, y0 = y * S - P;
    const Expr ix = x0 + r.x, iy = y0 + r.y;
    const Expr inside = ix >= 0 && ix < W && iy >= 0 && iy < H;
    const Expr tap = source(Halide::clamp(ix, 0, W - 1), Halide::clamp(iy, 0, H - 1), c, n);
    const bool max = kind == PoolKind::kMax;
    Func accumulated("accumulated");
    accumulated(x, y, c, n) = max ? Halide::Float(32).min() : Expr(0.f);
    accumulated(x, y, c, n) =
        max ? Halide::max(accumulated(x, y, c, n),
                          Halide::select(inside, tap, Halide::Float(32).min()))
            : accumulated(x, y, c, n) + Halide::select(inside, tap, 0.f);
    Func pooled("pooled");
    if (max) {
      pooled(x, y, c, n) = accumulated(x, y, c, n);
    } else {
      const Expr taps = kind == PoolKind::kAverage
                            ? (Halide::min(x0 + K, W) - Halide::max(x0, 0)) *
                                  (Halide::min(y0 + K, H) - Halide::max(y0, 0))
                            : (Halide::min(x0 + K, W + P) - x0) * (Halide::min(y0 + K, H + P) - y0);
      pooled(x, y, c, n) = accumulated(x, y, c, n) / Halide::cast<float>(taps);
    }
    pooled.bound(x, 0, OW).bound(y, 0, OH).bound(c, 0, C).bound(n, 0, N);
    SetActivationShape(pooled.output_buffer(), {OW, OH, C, N}, layout);
    // NHWC: rows in parallel, a pixel's channels a vector at a time, each pixel's window
    // accumulated in registers. NCHW: planes in parallel, a row of vectors at a time. A task
    // takes enough planes for kTapsPerTask window taps: MobileNet's 7x7 average pool has 49
    // taps a plane, and one task per plane spent 3x the pool's own time handing out 1024 tasks.
    Var along = x, at = y;
    int lanes = 1;
    if (layout == TensorLayout::kNhwc) {
      Var row("row");
      pooled.reorder(c, x, y, n).fuse(y, n, row).parallel(row);
      along = c;
      at = x;
      lanes = C >= 16 ? 16 : C >= 8 ? 8 : 1;
    } else {
      constexpr int kTapsPerTask = 8192;
      const int planes_per_task = std::max(1, kTapsPerTask / std::max(1, OH * OW * K * K));
      Var plane("plane"), task("task"), in_task("in_task");
      pooled.fuse(c, n, plane);
      if (planes_per_task > 1) {
        pooled.split(plane, task, in_task, planes_per_task, TailStrategy::GuardWithIf)
            .parallel(task);
      } else {
        pooled.parallel(plane);
      }
      lanes = OW >= 8 ? 8 : 1;
    }
    if (lanes > 1) pooled.vectorize(along, lanes, TailStrategy::GuardWithIf);
    accumulated.compute_at(pooled, at);
    if (lanes > 1) {
      accumulated.vectorize(along, lanes, TailStrategy::GuardWithIf);
      accumulated.update()
          .reorder(along, r.x, r.y)
          .vectorize(along, lanes, TailStrategy::GuardWithIf);
    }
    return CompileKernel(Halide::Pipeline(pooled), WrapActivation(output, Extents(out), layout),
                         {});
  } catch (const Halide::Error& error) {
    throw KernelBuildError(error.what());
  }
}

std::unique_ptr<Kernel> BuildGlobalAvgPoolKernel(const float* input, const Nchw& in, float* output,
                                                 TensorLayout layout) {
  const int N = int(in[0]), C = int(in[1]), H = int(in[2]), W = int(in[3]);
  try {
    // Vectors along channels read a pixel's channels together in NHWC, and gather in NCHW.
    const ImageParam source = BoundInput(input, in, layout);
    Var x("x"), y("y"), c("c"), n("n");
    RDom r(0, W, 0, H, "plane");
    Func total("total");
    total(c, n) = 0.f;
    total(c, n) += source(r.x, r.y, c, n);
    Func mean("mean");
    mean(x, y, c, n) = total(c, n) / float(W * H);
    mean.bound(x, 0, 1).bound(y, 0, 1).bound(c, 0, C).bound(n, 0, N);
    SetDenseShape(mean.output_buffer(), {1, 1, C, N});
    total.compute_root();
    if (C >= 8) {
      total.vectorize(c, 8, TailStrategy::GuardWithIf);
      total.update().reorder(c, r.x, r.y).vectorize(c, 8, TailStrategy::GuardWithIf);
    }
    return CompileKernel(Halide::Pipeline(mean), Halide::Buffer<float>(output, {1, 1, C, N}), {});
  } catch (const Halide::Error& error) {
    throw KernelBuildError(error.what());
  }
}

std::unique_ptr<Kernel> BuildLayoutTransformKernel(const float* input, const Nchw& shape,
                                                   TensorLayout from, float* output,
                                                   TensorLayout to) {
  const int N = int(shape[0]), C = int(shape[1]), H = int(shape[2]), W = int(shape[3]);
  try {
    const ImageParam source = BoundInput(input, shape, from);
    Var x("x"), y("y"), c("c"), n("n"), row("row");
    Func stored("stored");
    stored(x, y, c, n) = source(x, y, c, n);
    stored.bound(x, 0, W).bound(y, 0, H).bound(c, 0, C).bound(n, 0, N);
    SetActivationShape(stored.output_buffer(), {W, H, C, N}, to);
    // Stored with vectors along the output's contiguous dimension (loads gather), rows of
    // images in parallel; channels too few for a vector are unrolled over vectors of columns.
    if (to == TensorLayout::kNhwc) {
      stored.reorder(c, x, y, n).fuse(y, n, row).parallel(row);
      if (C >= 8) {
        stored.vectorize(c, 8, TailStrategy::GuardWithIf);
      } else if (W >= 8) {
        Var xo("xo"), xi("xi");
        stored.split(x, xo, xi, 8, TailStrategy::GuardWithIf)
            .reorder(c, xi, xo)
            .unroll(c)
            .vectorize(xi);
      }
    } else {
      stored.reorder(x, c, y, n).fuse(y, n, row).parallel(row);
      if (W >= 8) stored.vectorize(x, 8, TailStrategy::GuardWithIf);
    }
    return CompileKernel(Halide::Pipeline(stored), WrapActivation(output, Extents(shape), to), {});
  } catch (const Halide::Error& error) {
    throw KernelBuildError(error.what());
  }
}

}  // namespace tessel
