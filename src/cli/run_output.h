// What `tessel run` prints: one JSON object (--json) or a table of the layers and a summary.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/host_report.h"
#include "network/layer_threads.h"
#include "network/layout_choice.h"
#include "network/network_executor.h"
#include "network/network_source.h"

namespace tessel::cli {

// A finished `tessel run`: the network as it ran and what was measured of it.
struct NetworkRunOutcome {
  const Network* network = nullptr;
  const NetworkExecutor* executor = nullptr;
  int threads = 1;
  TensorLayout layout = TensorLayout::kNchw;
  std::optional<LayoutChoice> layout_choice;           // when the layout was chosen by timing
  std::map<size_t, LayerThreadTiming> thread_timings;  // by layer, with --layer-threads fastest
  double build_s = 0;
  std::vector<double> totals_ms;                  // end to end, per timed run
  std::vector<std::vector<double>> per_layer_ms;  // per layer, per timed run
  double error = 0;          // against the reference executor; NaN when not checked
  double compare_error = 0;  // against --compare; NaN without it
  std::vector<HostGroup> host_groups;
  std::optional<ThisHost> this_host;  // when a layer runs a recorded configuration
  int64_t network_run_id = 0;         // 0: not stored
  std::string db_path;
};

void PrintRunJson(const NetworkRunOutcome& outcome, const RunCommandOptions& options);
void PrintRunText(const NetworkRunOutcome& outcome, const RunCommandOptions& options);

}  // namespace tessel::cli
