#include "problems/replay/replay_problem.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/fnv1a.h"

namespace tessel {
namespace {

// FNV-1a of the file's bytes: tables with the same name but other contents are other tasks.
std::string ContentHash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t hash = kRecordDigestOffset;
  char c;
  while (in.get(c)) hash = Fnv1a(&c, 1, hash);
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace

ReplayProblem::ReplayProblem(const std::string& csv_path)
    : table_(ReplayTable::Load(csv_path)),
      measurer_(table_),
      file_name_(std::filesystem::path(csv_path).filename().string()),
      // The instance keeps the "replay:" prefix that records of earlier releases carry in
      // their workload, so that those records resume and seed runs as they did.
      key_{kName, "replay:" + file_name_ + "#" + ContentHash(csv_path), "replay", "replay", 1} {}

}  // namespace tessel
