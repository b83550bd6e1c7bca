// What tells a live view of the records (`tessel serve`) that the database changed: the counts
// of its measurements, runs, tasks, time breakdowns, tuner log entries and network runs, read on
// a connection of its own. The store only ever grows (records are appended, breakdowns replaced
// whole), so equal counts mean an equal database.
#pragma once

#include <cstdint>
#include <string>

struct sqlite3;

namespace tessel {

struct DbVersion {
  int64_t measurements = 0;
  int64_t last_measurement = 0;  // the largest measurement id, 0 for none
  int64_t runs = 0;
  int64_t tasks = 0;
  int64_t run_times = 0;
  double run_times_wall_s = 0;   // their sum: a replaced breakdown changes it, not the count
  int64_t last_tuner_log = 0;    // the largest tuner_log id; 0 for none or before schema 5
  int64_t last_network_run = 0;  // the largest network_runs id; 0 for none or before schema 6

  // One text that differs whenever any of the above does: "m12.12-r1-t1-x1.5-l0-n0".
  std::string Token() const;
};

// Reads the version of a records database through an ordinary read-only connection, which
// never writes the file and sees what writers commit. Rereads the counts only when SQLite's
// data_version says another connection committed, so polling it is cheap. Not thread-safe.
class DbVersionProbe {
 public:
  // The path of a database RecordStore has already accepted; throws tessel::Error when it
  // cannot be opened.
  explicit DbVersionProbe(const std::string& path);
  ~DbVersionProbe();
  DbVersionProbe(const DbVersionProbe&) = delete;
  DbVersionProbe& operator=(const DbVersionProbe&) = delete;

  DbVersion Read();

 private:
  // The largest id of `table`, 0 when it is empty or does not exist.
  int64_t LastId(const char* table);

  sqlite3* db_ = nullptr;
  std::string path_;
  int64_t data_version_ = -1;  // SQLite's when `cached_` was read; -1: never read
  DbVersion cached_;
};

}  // namespace tessel
