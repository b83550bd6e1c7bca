// What `tessel tune` prints when the run is over: one JSON line per task (--json), or a table
// of the tasks' best configurations and where their wall time went.
#pragma once

#include <vector>

#include "cli/commands.h"
#include "costmodel/featurizer.h"
#include "engine/evaluation.h"
#include "problems/schedule/loop_features.h"
#include "tune/presets.h"
#include "tune/tuning.h"

namespace tessel::cli {

struct TuneSummary {
  const std::vector<TuningTask>& tasks;
  const TuningReport& report;
  const Preset& preset;
  const TuneCommandOptions& options;
  const StrategyOptions& strategy_options;
  FeatureKind feature_kind;
  Allocation allocation;  // how a --budget was shared
  bool bted_design;       // the model's first measurements come from BTED
  const std::vector<Constraint>& constraints;
};

void PrintTuneJson(const TuneSummary& summary);
void PrintTuneTable(const TuneSummary& summary);

}  // namespace tessel::cli
