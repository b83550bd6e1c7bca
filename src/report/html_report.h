// The records' report as one self-contained HTML page: inline CSS and SVG charts (svg_chart.h),
// no script and nothing fetched, so it opens anywhere, offline, and can be mailed or archived
// next to the database. The same data gives the same bytes.
#pragma once

#include <string>

#include "report/report_data.h"

namespace tessel {

// The page; `source` (the database's path) is named in its header. Every text from the
// database is escaped.
std::string RenderHtmlReport(const ReportData& data, const std::string& source);

// What the page's <body> holds, from its heading to the last task's section: the one renderer
// of the report's views, which the page above and `tessel serve`'s dashboard both wrap.
std::string RenderReportBody(const ReportData& data, const std::string& source);

// The page's CSS, without the <style> element.
const char* ReportStyle();

// `value` with `decimals` digits after the point ("%.*f"), or an em dash when it is not finite.
std::string FixedOrDash(double value, int decimals);

}  // namespace tessel
