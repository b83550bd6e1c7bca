// `tessel serve`'s page: the report's body (html_report.h) inside a page whose small inline
// script asks the server every `poll_ms` whether the database changed (/api/version) and, when
// it did, swaps in the body rendered afresh (/api/report). Nothing is fetched from elsewhere.
#pragma once

#include <string>

#include "report/db_version.h"

namespace tessel {

// `body` is RenderReportBody's for the database at `source` when it was at `version` or
// later; `updated` says when that was ("12:03:04 UTC").
std::string RenderDashboardPage(const std::string& body, const std::string& source,
                                const DbVersion& version, const std::string& updated, int poll_ms);

// /api/version's answer: {"version": Token(), "measurements": N, "runs": N, "tasks": N}.
std::string DbVersionJson(const DbVersion& version);

}  // namespace tessel
