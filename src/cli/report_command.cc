// `tessel report`: the records database summarised in one self-contained HTML file.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "cli/commands.h"
#include "core/error.h"
#include "records/record_store.h"
#include "report/html_report.h"
#include "report/report_data.h"

namespace tessel::cli {
namespace {

// Writes the file whole, through a sibling .partial renamed over it, so that a failed write
// never leaves half a report (or spoils an earlier one) at `path`.
void WriteWhole(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error))
    throw IoError("--out " + path + " is a directory; give a file path");
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out)
      throw IoError("cannot write " + path + "; give an --out path in a writable directory");
    out << text;
    out.flush();
    if (!out) {
      out.close();
      fs::remove(partial, error);
      throw IoError("writing " + partial + " failed (disk full?)");
    }
  }
  fs::rename(partial, path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw IoError("cannot write " + path + " (" + error.message() + ")");
  }
}

}  // namespace

int RunReport(const std::string& db, const std::string& out) {
  if (out.empty()) throw ConfigError("--out needs a file path");
  const std::string path = ResolveDbPath(db);
  // Read-only: a report never changes the records, nor upgrades an older database.
  const RecordStore store(path, RecordStore::Access::kReadOnly);
  const ReportData data = ReadReport(store);
  const std::string html = RenderHtmlReport(data, path);
  WriteWhole(out, html);
  auto count = [](size_t n, const char* noun) {
    return std::to_string(n) + ' ' + noun + (n == 1 ? "" : "s");
  };
  std::printf("wrote %s (%zu KiB): %s, %s, %s\n", out.c_str(), (html.size() + 1023) / 1024,
              count(data.tasks.size(), "task").c_str(), count(data.runs.size(), "run").c_str(),
              count(static_cast<size_t>(data.measurements), "measurement").c_str());
  return 0;
}

}  // namespace tessel::cli
