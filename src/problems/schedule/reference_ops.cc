#include "problems/schedule/reference_ops.h"

namespace tessel {

std::vector<float> ReorderActivation(std::span<const float> data, int64_t n, int64_t c, int64_t h,
                                     int64_t w, TensorLayout from, TensorLayout to) {
  if (from == to) return {data.begin(), data.end()};
  std::vector<float> out(data.size());
  const int64_t plane = h * w;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < plane; ++p) {
        const int64_t nchw = (b * c + ch) * plane + p, nhwc = (b * plane + p) * c + ch;
        if (from == TensorLayout::kNchw) {
          out[nhwc] = data[nchw];
        } else {
          out[nchw] = data[nhwc];
        }
      }
  return out;
}

std::vector<float> ReferenceConv2d(const Conv2dShape& s, std::span<const float> input,
                                   std::span<const float> weights) {
  if (s.layout != TensorLayout::kNchw) {
    Conv2dShape nchw = s;
    nchw.layout = TensorLayout::kNchw;
    const std::vector<float> out = ReferenceConv2d(
        nchw, ReorderActivation(input, s.n, s.c, s.h, s.w, s.layout, TensorLayout::kNchw), weights);
    return ReorderActivation(out, s.n, s.k, s.out_h(), s.out_w(), TensorLayout::kNchw, s.layout);
  }
  const int64_t oh = s.out_h(), ow = s.out_w(), cg = s.channels_per_group(), kg = s.k / s.groups;
  std::vector<float> out(s.n * s.k * oh * ow, 0.f);
  for (int64_t n = 0; n < s.n; ++n)
    for (int64_t k = 0; k < s.k; ++k) {
      float* o = &out[((n * s.k + k) * oh) * ow];
      for (int64_t c = 0; c < cg; ++c) {
        const int64_t cin = (k / kg) * cg + c;
        const float* in = &input[((n * s.c + cin) * s.h) * s.w];
        for (int64_t r = 0; r < s.r; ++r)
          for (int64_t q = 0; q < s.s; ++q) {
            const float wv = weights[((k * cg + c) * s.r + r) * s.s + q];
            for (int64_t y = 0; y < oh; ++y) {
              const int64_t iy = y * s.stride + r - s.pad;
              if (iy < 0 || iy >= s.h) continue;
              for (int64_t x = 0; x < ow; ++x) {
                const int64_t ix = x * s.stride + q - s.pad;
                if (ix >= 0 && ix < s.w) o[y * ow + x] += wv * in[iy * s.w + ix];
              }
            }
          }
      }
    }
  return out;
}

std::vector<float> ReferenceDense(const DenseShape& d, std::span<const float> input,
                                  std::span<const float> weights) {
  std::vector<float> out(d.n * d.out, 0.f);
  for (int64_t n = 0; n < d.n; ++n)
    for (int64_t o = 0; o < d.out; ++o) {
      double sum = 0;
      for (int64_t i = 0; i < d.in; ++i) sum += double(weights[o * d.in + i]) * input[n * d.in + i];
      out[n * d.out + o] = static_cast<float>(sum);
    }
  return out;
}

}  // namespace tessel
