// The report's views of what tuners learned (the records' tuner_log, RecordStore::TunerLog):
//   - learning curves: an RL agent's reward and losses against its rounds, one panel per
//     logged name, per run (RELEASE's PPO "RL board", REINFORCE, ReLeQ);
//   - the cost model: its score for each configuration it proposed against the measured value,
//     with Spearman's rank correlation, over the run and per refit.
// report_data.h reads them into each task, html_report.cc places them in the task's section.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "records/record_store.h"

namespace tessel {

// One logged name of one run: (step, value) by step.
struct LearningSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;
};

// A cost model's scores against what was measured, for the configurations of one refit (or
// of the whole run).
struct ModelFit {
  int64_t fitted_on = 0;           // measurements the model was fitted on (refits only)
  int64_t pairs = 0;               // successful measurements with a score
  double spearman = std::nan("");  // of score against measured value; NaN under 3 pairs
};

struct RunTunerViews {
  int64_t run_id = 0;
  std::string label;                     // the run's
  std::vector<LearningSeries> learning;  // every logged name but the model's, by name
  // (measured value, model score) of the successful measurements the model scored.
  std::vector<std::pair<double, double>> predicted;
  int64_t predicted_failed = 0;  // scored configurations whose measurement was not ok
  ModelFit overall;
  std::vector<ModelFit> per_fit;  // by fitted_on
};

// What the names "predicted" and "fitted_on" are: the model-based tuner's per-proposal log.
inline constexpr const char* kPredictedName = "predicted";
inline constexpr const char* kFittedOnName = "fitted_on";

// The runs with a tuner log on the task, by run id; `labels` names runs by id.
std::vector<RunTunerViews> ReadTunerViews(const RecordStore& store, int64_t task_id,
                                          const std::map<int64_t, std::string>& labels);

// Spearman's rank correlation (ties get their mean rank); NaN for fewer than 3 pairs or when
// either side is constant.
double Spearman(const std::vector<double>& x, const std::vector<double>& y);

// The views' HTML for one task (nothing when `views` is empty); `value_label` names the measured
// value's axis.
void RenderTunerViews(std::ostringstream& html, const std::vector<RunTunerViews>& views,
                      const std::string& value_label);

}  // namespace tessel
