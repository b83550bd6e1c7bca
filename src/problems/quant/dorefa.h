// DoReFa's quantizers (Zhou et al., "DoReFa-Net: Training Low Bitwidth Convolutional Neural
// Networks with Low Bitwidth Gradients"), on LibTorch tensors, with straight-through gradients
// so that a network can be fine-tuned through them. Only quant_model.cc and the tests use them,
// so this header may include LibTorch.
#pragma once

#include <torch/torch.h>

#include "problems/quant/quant_model.h"

namespace tessel {

// quantize_k: x in [0, 1] rounded to the nearest of 2^k evenly spaced levels (0 and 1
// included); its gradient passes through the rounding unchanged.
torch::Tensor QuantizeUnit(const torch::Tensor& x, int bits);

// A layer's weights at k bits: w_q = 2 quantize_k(tanh(w) / (2 max|tanh(w)|) + 1/2) - 1, in
// [-1, 1], times the float weights' max|w| or mean|w| when `restore_scale` (the statistic is a
// constant to the gradient). bits >= 32 returns `weights` itself.
torch::Tensor DoReFaWeights(const torch::Tensor& weights, int bits, bool restore_scale,
                            WeightScale scale);

// Activations at k bits: quantize_k(clip(x, 0, 1)). bits <= 0 or >= 32 returns `x`.
torch::Tensor DoReFaActivations(const torch::Tensor& x, int bits);

}  // namespace tessel
