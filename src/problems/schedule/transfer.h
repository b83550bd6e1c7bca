// Transfer learning inputs (AutoTVM's load_history): the records of other tasks of the same
// template on the same target, as feature rows a base cost model can learn from.
#pragma once

#include <memory>

#include "costmodel/featurizer.h"
#include "costmodel/xgb_cost_model.h"
#include "engine/problem.h"
#include "problems/schedule/loop_features.h"
#include "problems/schedule/operator_template.h"
#include "records/record_store.h"

namespace tessel {

// Every measurement of every other task with the same template, template version and target as
// `task`, featurized by that task's own template; fitness is normalised per task (best time
// over time, 0 for failures) so that fast and slow layers rank on one scale. Records whose
// configuration no longer parses are skipped.
TransferRows LoadTransferHistory(const RecordStore& store, const ProblemKey& task,
                                 FeatureKind kind);

}  // namespace tessel
