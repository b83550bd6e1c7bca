// The records: every evaluation Tessel makes, of every problem, in an append-only SQLite
// database.
//
// A task is identified by its ProblemKey: the problem, the instance, the target (for the
// schedule problem: CPU model, ISA features, thread count) and the evaluator with its version,
// so records never apply to the wrong machine, instance or an older evaluator. A task also
// keeps its objective (name, unit, direction), which decides what "best" means. A run is one
// invocation of a tuner on one or more tasks. Evaluations, with their status, objective value
// and metrics, are appended a batch per transaction, in WAL mode, so Ctrl-C or a crash loses
// at most the batch in flight. Databases of older schemas are migrated in place on opening,
// unless opened only to be read.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/evaluation.h"
#include "engine/problem_key.h"

struct sqlite3;

namespace tessel {

struct RunInfo {
  std::string tuner;
  uint64_t seed = 0;
  std::string command;  // the command line that started the run
  // What describes the machine it ran on (HostToJson), "{}" when unknown: numbers measured
  // under one target key may come from different machines of that name.
  std::string host = "{}";
};

// A run as stored: its id in this database, the uuid that identifies it across databases, and
// when it started (ISO 8601 UTC).
struct StoredRun {
  int64_t id = 0;
  std::string uuid;
  RunInfo info;
  std::string started_at;
};

// One evaluated configuration as stored.
struct MeasurementRecord {
  int64_t task_id = 0;
  int64_t run_id = 0;
  std::string config;  // the space's canonical text form
  Evaluation result;
  std::string timestamp;  // ISO 8601 UTC; filled by the store when empty
};

// The best successful evaluation of one task (by its objective's direction; infeasible
// evaluations never count).
struct BestRecord {
  ProblemKey task;
  ObjectiveInfo objective;
  int64_t task_id = 0;
  MeasurementRecord record;
  std::string tuner;
  uint64_t seed = 0;
  std::string host;          // of the run that measured it, as RunInfo::host
  int64_t measurements = 0;  // all measurements of the task, failures included
};

// Where one run's wall time went on one task (the breakdown of the RELEASE paper's Figure 2):
// compiling kernels, running them (with the measurement harness), fitting cost models, and the rest
// of the tuner's work (search).
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

// One number a tuner reported on one task in one run (tune/strategy.h's TunerStat): an RL
// agent's reward or loss per round, a cost model's prediction per proposed configuration.
struct TunerLogEntry {
  int64_t run_id = 0;
  int64_t task_id = 0;
  int64_t step = 0;  // the tuner's round, episode or refit; for "predicted", the measurement's seq
  std::string name;
  double value = 0;  // NaN is stored as NULL and read back as NaN
};

// A number logged for a measurement (its step is the measurement's seq in the run), with
// what was measured.
struct LoggedAgainstMeasured {
  int64_t step = 0;
  double logged = 0;
  double measured = 0;  // the measurement's value, NaN when it was not ok
};

// One layer of a network run (`tessel run`): what ran for a node of the graph, and its median
// time over the run's timed repetitions.
struct NetworkLayerRecord {
  std::string name;
  std::string op;        // the executor's name for it: "conv2d+relu", "max_pool", "add", ...
  std::string task;      // the network's label of its tuning task ("r18.3"); empty but for kernels
  std::string workload;  // that task's workload spec; empty but for kernels
  // The schedule task whose best record the layer ran; nullopt for a default schedule and for
  // layers that are not kernels.
  std::optional<int64_t> task_id;
  bool tuned = false;
  std::string config;  // the kernel's configuration, as text
  double median_ms = 0;
};

// A whole network timed end to end by `tessel run`, with its layers in the order they ran.
struct NetworkRunRecord {
  int64_t id = 0;          // assigned by RecordNetworkRun
  std::string network;     // the zoo name or the ONNX file's
  std::string command;     // the command line
  std::string started_at;  // assigned by RecordNetworkRun: ISO 8601 UTC
  std::string host;        // HostToJson of the machine it ran on
  int threads = 0;
  int repeats = 0;  // timed runs
  double median_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  double relative_error = 0;  // against the reference executor; NaN when not checked
  std::vector<NetworkLayerRecord> layers;
};

class RecordStore {
 public:
  enum class Access {
    kReadWrite,
    // For what only looks (`tessel report`): the file must exist, nothing is ever written to it
    // (no upgrade, no journal mode), and calling a recording method is a programming error.
    // When no process has it open (no -wal file beside it) it is read as immutable, so no -wal
    // or -shm file is left beside it; a database of schema 3 or 4 is read as it is, one older is
    // refused with a message naming the command that upgrades it.
    kReadOnly,
    // kReadOnly for a reader that stays open while writers may come (`tessel serve`): never
    // immutable, since a tuner that starts writing later would change the file under an
    // immutable reader, which SQLite then reads as corrupt. SQLite's -wal and -shm files may be
    // created beside the database (the database file itself is never written).
    kReadOnlyLive,
  };

  // Opens or creates the database. A file that is not a Tessel database (another SQLite
  // database, a corrupt file, a file of another kind) or has a newer schema is refused with
  // tessel::Error before anything is written to it.
  explicit RecordStore(const std::string& path, Access access = Access::kReadWrite);
  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  // 2 added run_times; 3 made tasks generic (problem, instance, evaluator, objective) and
  // gave evaluations metrics; 4 gave runs their host's description; 5 added tuner_log; 6 added
  // network runs.
  static constexpr int kSchemaVersion = 6;

  // Id of the task, created when new with this objective (an existing task keeps its own).
  int64_t EnsureTask(const ProblemKey& key, const ObjectiveInfo& objective);
  std::optional<int64_t> FindTask(const ProblemKey& key) const;
  int64_t BeginRun(const RunInfo& run);

  // Appends the batch in one transaction.
  void Append(const std::vector<MeasurementRecord>& batch);
  // The same for one task's evaluations in one run (configurations in their text form), without
  // copying them into records: what the tuning loop calls once per batch.
  void Append(int64_t task_id, int64_t run_id, const std::vector<std::string>& configs,
              const std::vector<Evaluation>& evaluations);

  // Every task, by id.
  std::vector<std::pair<int64_t, ProblemKey>> Tasks() const;
  // The objective of a task that exists.
  ObjectiveInfo Objective(int64_t task_id) const;
  // Every run, by id.
  std::vector<StoredRun> Runs() const;

  // Every evaluation of the task, oldest first.
  std::vector<MeasurementRecord> History(int64_t task_id) const;
  // The best successful record of every task that has one, ordered by task id.
  std::vector<BestRecord> BestPerTask() const;

  // While it lives, every read of the store sees one snapshot of the database, whatever writers
  // commit meanwhile: a report read from many queries is then consistent. One at a time.
  class ReadSnapshot {
   public:
    explicit ReadSnapshot(const RecordStore& store);
    ~ReadSnapshot();
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

   private:
    sqlite3* db_;
  };

  // Stores (or replaces) the time breakdown of a run on a task.
  void RecordRunTimes(const RunTimes& times);
  std::vector<RunTimes> AllRunTimes() const;

  // Appends what tuners reported, in one transaction.
  void AppendTunerLog(const std::vector<TunerLogEntry>& batch);
  // Everything tuners reported on the task, by run, name and step (in the order appended within
  // a step); empty for a database of schema 4 read as it is.
  std::vector<TunerLogEntry> TunerLog(int64_t task_id) const;
  // The entries named `name` of one run and task whose step is a measurement's seq, each with
  // that measurement's value, by step; entries with no such measurement are left out.
  std::vector<LoggedAgainstMeasured> TunerLogAgainstMeasured(int64_t run_id, int64_t task_id,
                                                             const std::string& name) const;

  // Stores a network run and its layers in one transaction; returns its id.
  int64_t RecordNetworkRun(const NetworkRunRecord& run);
  // Every network run with its layers, by id; empty for a database before schema 6.
  std::vector<NetworkRunRecord> NetworkRuns() const;

  // One JSON object per line per evaluation, carrying its task and run, oldest first.
  void ExportJsonl(std::ostream& out) const;
  // Reads what ExportJsonl wrote (also the schema-2 format of earlier releases, whose
  // "workload", "template" and "time_ms" fields become instance, evaluator and value);
  // records already present are skipped. Returns the number of
  // records added. A malformed line throws tessel::Error naming the line, and nothing of the
  // file is added.
  int64_t ImportJsonl(std::istream& in);

 private:
  struct AppendStatements;  // prepared once, reused by every Append

  void CheckWritable() const;

  sqlite3* db_ = nullptr;
  bool read_only_ = false;
  // What reads a run's host: the column, or '{}' for a schema 3 database read as it is.
  std::string host_column_ = "r.host";
  // False for a schema 4 database read as it is: it has no tuner_log table.
  bool has_tuner_log_ = true;
  // False for a database before schema 6 read as it is: it has no network runs.
  bool has_network_runs_ = true;
  std::unique_ptr<AppendStatements> append_;
};

}  // namespace tessel
