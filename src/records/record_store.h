// The records: every measurement Tessel makes, in an append-only SQLite database.
//
// A task is identified by what makes a record transferable: the workload, the target (CPU
// model, ISA features, thread count) and the schedule template with its version, so records
// never apply to the wrong machine or to an older template. A run is one invocation of a
// tuner on one or more tasks. Measurements are appended a batch per transaction, in WAL mode,
// so Ctrl-C or a crash loses at most the batch in flight.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "measure/measurer.h"

struct sqlite3;

namespace tessel {

struct TaskKey {
  std::string workload;  // workload spec ("conv2d:c=64,...") or "replay:<file name>"
  std::string target;    // canonical JSON text: {"cpu":..,"isa":..,"threads":..}
  std::string template_name;
  int template_version = 1;
};

struct RunInfo {
  std::string tuner;
  uint64_t seed = 0;
  std::string command;  // the command line that started the run
};

// One measured configuration as stored.
struct MeasurementRecord {
  int64_t task_id = 0;
  int64_t run_id = 0;
  std::string config;  // the space's canonical text form
  MeasureResult result;
  std::string timestamp;  // ISO 8601 UTC; filled by the store when empty
};

// The best successful measurement of one task.
struct BestRecord {
  TaskKey task;
  int64_t task_id = 0;
  MeasurementRecord record;
  std::string tuner;
  uint64_t seed = 0;
  int64_t measurements = 0;  // all measurements of the task, failures included
};

// Where one run's wall time went on one task (the seeds' Figure 2 breakdown): compiling
// kernels, running them (with the measurement harness), fitting cost models, and the rest of
// the tuner's work (search).
struct RunTimes {
  int64_t run_id = 0;
  int64_t task_id = 0;
  int64_t measurements = 0;
  double compile_s = 0;
  double run_s = 0;
  double fit_s = 0;
  double search_s = 0;
  double wall_s = 0;
};

class RecordStore {
 public:
  // Opens or creates the database. A file that is not a Tessel database (another SQLite
  // database, a corrupt file, a file of another kind) or has a newer schema is refused with
  // tessel::Error before anything is written to it.
  explicit RecordStore(const std::string& path);
  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  static constexpr int kSchemaVersion = 2;  // 2 added run_times

  // Id of the task, created when new.
  int64_t EnsureTask(const TaskKey& key);
  std::optional<int64_t> FindTask(const TaskKey& key) const;
  int64_t BeginRun(const RunInfo& run);

  // Appends the batch in one transaction.
  void Append(const std::vector<MeasurementRecord>& batch);

  // Every task, by id.
  std::vector<std::pair<int64_t, TaskKey>> Tasks() const;

  // Every measurement of the task, oldest first.
  std::vector<MeasurementRecord> History(int64_t task_id) const;
  // The best successful record of every task that has one, ordered by task id.
  std::vector<BestRecord> BestPerTask() const;

  // Stores (or replaces) the time breakdown of a run on a task.
  void RecordRunTimes(const RunTimes& times);
  std::vector<RunTimes> AllRunTimes() const;

  // One JSON object per line per measurement, carrying its task and run, oldest first.
  void ExportJsonl(std::ostream& out) const;
  // Reads what ExportJsonl wrote; records already present are skipped. Returns the number of
  // records added. A malformed line throws tessel::Error naming the line, and nothing of the
  // file is added.
  int64_t ImportJsonl(std::istream& in);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace tessel
