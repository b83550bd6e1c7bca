#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "problems/schedule/workload.h"

namespace tessel::cli {

struct NamedWorkload {
  std::string name;  // the zoo layer's name or the workload spec
  Workload workload;
  int occurrences = 1;  // how often the network runs it
};

// The workloads that --model/--layer/--op/--workload name, in the order given.
std::vector<NamedWorkload> SelectWorkloads(const TaskSelection& tasks);

}  // namespace tessel::cli
