// `tessel tune`'s options that choose the tuner and set its parts: the preset, the cost
// model's features and warm start, and each search's own options.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace tessel::cli {

void AddTunerOptions(CLI::App* app, TuneCommandOptions& options);

}  // namespace tessel::cli
