// A `tessel export` file (JSON lines, gzipped or not) opened as a records store in memory: for
// records that travel with the install or between machines, such as a cost model's prior,
// without a database file to create or keep.
#pragma once

#include <memory>
#include <string>

#include "records/record_store.h"

namespace tessel {

// Throws IoError when the file cannot be read or its gzip stream is broken, ConfigError naming
// the line when a line is not a record.
std::unique_ptr<RecordStore> LoadRecordsFile(const std::string& path);

}  // namespace tessel
