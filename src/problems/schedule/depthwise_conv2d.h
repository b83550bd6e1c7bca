// Depthwise convolution (groups == c == k, MobileNet's 3x3 layers) as its own algorithm. Each
// output channel reads one input channel, so there is no reduction over channels to block and
// a layer is a few MFLOP over a few hundred KB: it is bound by loads, stores and loop overhead,
// not by multiply-adds. The direct template's NCHWc kernels would gather input across channels
// and materialise the padded input in a pass of its own; this kernel works plane by plane, as
// TVM's depthwise schedules for NCHW and oneDNN's jit_uni_dw_conv kernels do (the latter over
// blocked channels):
//
//   - vectors run along output columns, and the kernel window is unrolled into one
//     multiply-add per tap with the weight broadcast;
//   - a register tile of `rows` output rows, unrolled, shares the input rows its windows
//     overlap on (rows + 2 input rows for rows outputs of a 3x3 stride-1 window);
//   - channels are parallel, `channels` of them per task;
//   - the zero border is handled in one of three ways (`padding`): reading the input through a
//     boundary condition and letting Halide's loop partitioning split off the bounds-checked
//     edge vectors, so that the interior reads the input directly (`exterior`; on 7- to
//     56-wide rows the edge vectors, which gather, are a large share, and rows of at most 4
//     vectors are unrolled so that their gathers become dense loads); or copying the input
//     rows of a block of about 16 output rows (`rows`) or of each channel's whole plane
//     (`plane`) into a zeroed tile with dense vectors, so that the window reads without
//     checks. Halide 14 faults on strided reads of such a copy, so strided layers use
//     `exterior` only;
//   - a width that the vector does not divide is covered by shifting the last vector inwards
//     (it recomputes a few columns), or with masked loads and stores when the row is narrower
//     than one vector; nothing is read outside the input.
// Stride 2 reads every other column: Halide loads the dense span and deinterleaves it.
// In NHWC (a network kept channels-last) the kernel vectorises along channels instead, as
// oneDNN's depthwise kernels do over blocked channels: `rows` counts output columns in the
// register tile, `channels` its vectors of channels, output rows run in parallel, and the
// border is read through the boundary condition (padding=exterior only).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "problems/schedule/loop_nest.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/workload.h"

namespace tessel {

// Depthwise: every group is one input channel and one output channel, and there are several
// (a single channel is an ordinary convolution). Any batch, kernel size, stride and padding.
bool DepthwiseApplies(const Conv2dShape& shape);

enum class DepthwisePadding { kExterior, kRows, kPlane };

// The names the conv2d template's dw_padding knob uses, in this order: exterior, rows, plane.
const std::vector<std::string>& DepthwisePaddingNames();

struct DepthwiseSchedule {
  DepthwisePadding padding = DepthwisePadding::kPlane;
  int vec = 8;       // lanes along output columns
  int rows = 2;      // output rows in the register tile (NHWC: output columns)
  int channels = 1;  // channels per parallel task (NHWC: vectors of channels in the tile)
};

// The paddings a shape admits: all three at stride 1, exterior only at larger strides.
std::vector<std::string> DepthwisePaddingChoices(const Conv2dShape& shape);

// The register-tile rows (1, 2, 4, 7 up to the output height) and channels per task (1, 4, 16
// up to the channel count) a shape admits: 7 divides every MobileNet plane, 4 most of them.
std::vector<int64_t> DepthwiseRowChoices(const Conv2dShape& shape);
std::vector<int64_t> DepthwiseChannelChoices(const Conv2dShape& shape);

// Whether the schedule suits the shape: its padding is one the shape admits (and rows only when
// its blocks are shorter than the output, else it is plane), its vector is no wider
// than the output row rounded up to 4 lanes (a wider one would compute mostly masked-off lanes),
// and its register tile fits in the output's rows.
bool DepthwiseScheduleFits(const Conv2dShape& shape, const DepthwiseSchedule& schedule);

// A schedule that does well across MobileNet's depthwise layers, for the template's default.
DepthwiseSchedule DefaultDepthwiseSchedule(const Conv2dShape& shape);

// Builds the kernel over input and output in shape.layout, (k, 1, r, s) weights, with the layer's
// epilogue. May throw Halide::Error.
std::unique_ptr<Kernel> BuildDepthwiseConv2d(const Conv2dShape& shape,
                                             const DepthwiseSchedule& schedule,
                                             const LayerBinding& layer);

// The loop nest of the output stage, for loop features.
LoopNest DescribeDepthwiseLoops(const Conv2dShape& shape, const DepthwiseSchedule& schedule);

}  // namespace tessel
