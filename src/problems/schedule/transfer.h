// Transfer learning inputs: the records of other tasks of the same template on the same target
// (AutoTVM's load_history), or of every task of the template on any host (a prior), as feature
// rows a base cost model can learn from.
#pragma once

#include <memory>

#include "costmodel/featurizer.h"
#include "costmodel/xgb_cost_model.h"
#include "engine/problem.h"
#include "problems/schedule/loop_features.h"
#include "problems/schedule/operator_template.h"
#include "records/record_store.h"

namespace tessel {

// Every measurement of the tasks in `scope` with the same template and template version as
// `task`, featurized by each task's own template; fitness is normalised per task (best time
// over time, 0 for failures) so that fast and slow layers rank on one scale. Records whose
// configuration no longer parses are skipped, and so are tasks whose feature vectors differ in
// length from `task`'s: knob features follow a shape's knob values (how many `vec` or
// `parallel` choices it has), while loop features have one length for every shape.
TransferRows LoadTransferHistory(const RecordStore& store, const ProblemKey& task, FeatureKind kind,
                                 TransferScope scope);

}  // namespace tessel
