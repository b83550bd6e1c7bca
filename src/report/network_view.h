// The report's view of whole networks timed by `tessel run`: a table of the network runs, and
// for the newest run of each network (per thread count and machine) where its time went, layer
// by layer and per operator, as TVM's debug executor prints it.
#pragma once

#include <sstream>
#include <vector>

#include "report/report_data.h"

namespace tessel {

// Appends the "Networks" heading, its table and a section per newest run to `html`; nothing
// when there are no network runs.
void RenderNetworkRuns(std::ostringstream& html, const std::vector<ReportNetworkRun>& networks);

}  // namespace tessel
