// The options that select a command's tasks (--problem and each problem's instance options)
// and constrain their evaluations, shared by the commands that take them.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace tessel::cli {

void AddTaskSelection(CLI::App* command, TaskSelection& tasks);
void AddConstraintOptions(CLI::App* command, TaskSelection& tasks);

}  // namespace tessel::cli
