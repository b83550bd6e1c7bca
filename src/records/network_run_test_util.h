// A network run of two layers for the tests of the records and the report: a convolution
// (tuned, of task `task_id`, when one is given) and a pooling of 0.5 ms.
#pragma once

#include <optional>
#include <string>

#include "records/record_store.h"

namespace tessel::testing_util {

inline NetworkRunRecord TwoLayerNetworkRun(const std::string& network, int threads,
                                           const std::string& host, double conv_ms,
                                           std::optional<int64_t> task_id) {
  NetworkRunRecord run;
  run.network = network;
  run.command = "tessel run --model " + network;
  run.host = host;
  run.threads = threads;
  run.repeats = 5;
  run.median_ms = conv_ms + 0.5;
  run.min_ms = conv_ms + 0.4;
  run.max_ms = conv_ms + 0.75;
  run.relative_error = 2e-7;
  NetworkLayerRecord& conv = run.layers.emplace_back();
  conv.name = "conv1";
  conv.op = "conv2d+relu";
  conv.task = "n.1";
  conv.workload = "dense:in=4,out=4";
  conv.task_id = task_id;
  conv.tuned = task_id.has_value();
  conv.config = "tile=4";
  conv.median_ms = conv_ms;
  NetworkLayerRecord& pool = run.layers.emplace_back();
  pool.name = "pool";
  pool.op = "max_pool";
  pool.median_ms = 0.5;
  return run;
}

}  // namespace tessel::testing_util
