// Stripes' performance model ("Stripes: Bit-Serial Deep Neural Network Computing", Judd et al.,
// MICRO 2016) as the quantization problem uses it: a bit-serial accelerator whose time on a
// layer is proportional to the bitwidth of its serial operand.
//
// What the paper builds: DaDianNao's 16 tiles, each tile's bit-parallel multipliers replaced
// by a 16x16 grid of serial inner-product units (SIPs), one per (window, filter) pair. Each
// SIP takes one bit of each of 16 activations and 16 full 16-bit weights a cycle, so a tile
// finishes 16 windows x 16 filters x 16 products in p cycles at p-bit activations, where
// DaDianNao's tile finishes 1 window x 16 filters x 16 products a cycle: 16/p times the
// throughput when there are 16 windows to work on, so its gains are the convolutional
// layers' (a fully connected layer has a single window). The paper serializes the activations and
// profiles their precision per layer; it also models the memory system, which this model leaves
// out.
//
// What is modelled here, as the quantization problem asks:
//  - the serial operand is the weights, the problem's knob (bit-serial in weights is the same
//    arithmetic with the roles swapped; the activations stay bit-parallel);
//  - every layer, dense ones included, takes ceil(macs x bits / lanes) cycles, with the same
//    lane count for every layer and no memory stalls;
//  - the speedup over 8 bits everywhere is 8 x sum(macs) / sum(bits x macs), exactly: the lanes
//    cancel, so it does not round as the cycle counts do.
#pragma once

#include <cstdint>
#include <vector>

#include "problems/quant/quant_layer.h"

namespace tessel {

// One-bit-by-full-width products a cycle: 16 tiles x 16 windows x 16 filters x 16 products.
inline constexpr int64_t kStripesLanes = int64_t{16} * 16 * 16 * 16;
inline constexpr int kStripesBaselineBits = 8;

// ceil(macs x bits / lanes) for one input. At the default lanes a small layer rounds to whole
// cycles (LeNet-5's last layer takes one at any bitwidth up to 13); lanes = 1 counts every bit.
// Throws tessel::Error when bits is outside 1..16 (Stripes' widest serial operand) or lanes is not
// positive.
int64_t StripesLayerCycles(const QuantLayer& layer, int weight_bits, int64_t lanes = kStripesLanes);

// The sum over the layers. Throws tessel::Error on no layers, weight bitwidths not one per layer,
// or as above.
int64_t StripesCycles(const std::vector<QuantLayer>& layers, const std::vector<int>& weight_bits,
                      int64_t lanes = kStripesLanes);

// 8 x sum(macs) / sum(bits x macs): how much faster the network runs than at 8 bits
// everywhere. Throws as StripesCycles.
double StripesSpeedup(const std::vector<QuantLayer>& layers, const std::vector<int>& weight_bits);

}  // namespace tessel
