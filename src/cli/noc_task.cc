#include "cli/noc_task.h"

#include "core/error.h"
#include "problems/noc/noc_problem.h"
#include "problems/noc/routing_catalog.h"
#include "problems/noc/traffic.h"

namespace tessel::cli {

bool HasNocOptions(const TaskSelection& selection) {
  return selection.mesh || !selection.traffic.empty() || !selection.rates.empty() ||
         !selection.noc.empty();
}

std::vector<TuningTask> MakeNocTasks(const TaskSelection& selection, uint64_t seed) {
  if (selection.rates.empty())
    throw ConfigError(
        "the noc problem needs --rate R, the offered load in flits per node per cycle (e.g. "
        "0.1; a list such as 0.02,0.1,0.2 makes a task per load)");
  noc::NocConfig base;
  if (selection.mesh) base.k = *selection.mesh;
  noc::ApplyNocOptions(selection.noc, "--noc", base);
  const std::vector<std::string> patterns =
      selection.traffic.empty() ? std::vector<std::string>{base.traffic} : selection.traffic;
  std::vector<TuningTask> tasks;
  for (const std::string& pattern : patterns) {
    for (double rate : selection.rates) {
      noc::NocConfig config = base;
      config.traffic = pattern;
      config.rate = rate;
      auto problem = std::make_unique<noc::NocProblem>(config, seed);  // validates
      std::string label = pattern + "@" + noc::FormatNumber(rate);
      for (const TuningTask& task : tasks)
        if (task.label == label)
          throw ConfigError("--traffic and --rate name " + label + " twice; give each once");
      tasks.push_back({std::move(label), 1, 0, std::move(problem)});
    }
  }
  return tasks;
}

std::vector<std::string> NocKnobs() {
  return {"routing: " + noc::JoinNames(noc::AllRoutingNames()) +
          " (o1turn needs an even number of VCs); traffic: " + noc::JoinNames(noc::TrafficNames())};
}

}  // namespace tessel::cli
