#include "records/records_file.h"

#include <sstream>

#include "core/error.h"
#include "core/gzip_file.h"

namespace tessel {

std::unique_ptr<RecordStore> LoadRecordsFile(const std::string& path) {
  std::istringstream in(ReadMaybeGzipped(path, path, "; give a file written by 'tessel export'"));
  auto store = std::make_unique<RecordStore>(":memory:");
  try {
    store->ImportJsonl(in);
  } catch (const Error& error) {
    throw Error(error.kind(), path + ": " + error.what());
  }
  return store;
}

}  // namespace tessel
