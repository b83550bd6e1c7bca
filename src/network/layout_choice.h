// Which activation layout a whole network runs fastest in. Channels-last (NHWC) gives every
// convolution dense vectors of channels and no strided gathers, but a layer tuned in NCHW keeps
// its records only there, and the conversions at the network's edges cost time; which wins
// depends on the network and on which layout's tasks were tuned. No model decides this: the
// network is built in each layout and timed end to end, as TVM's graph tuner times the layout
// transforms between its candidates rather than predicting them.
#pragma once

#include <vector>

#include "network/network_executor.h"
#include "problems/schedule/workload.h"

namespace tessel {

// One candidate layout's end-to-end times, in the order they were taken.
struct LayoutTiming {
  TensorLayout layout = TensorLayout::kNchw;
  std::vector<double> ms;
  double median_ms = 0;
};

struct LayoutChoice {
  std::vector<LayoutTiming> timings;  // one per candidate, in the candidates' order
  size_t chosen = 0;                  // the candidate with the lowest median
};

// Times each candidate (an executor built in that layout) on `input`, one run each per round,
// in alternating order (a b, b a, ...) so that neither always runs right after the other:
// after one untimed run each, at least `min_rounds` rounds and then more until the rounds
// have taken `min_total_ms`, at most `max_rounds`. Ties go to the earlier candidate.
LayoutChoice ChooseFastestLayout(const std::vector<NetworkExecutor*>& candidates,
                                 const std::vector<TensorLayout>& layouts,
                                 const std::vector<float>& input, int min_rounds = 5,
                                 double min_total_ms = 1000, int max_rounds = 50);

}  // namespace tessel
