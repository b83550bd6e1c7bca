#include "records/record_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

// A fresh directory under /tmp per test, removed afterwards.
class RecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device device;
    dir_ = fs::temp_directory_path() /
           ("tessel_records_" + std::to_string(getpid()) + "_" + std::to_string(device()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

const ObjectiveInfo kTime{"time", "ms", true};

ProblemKey Task(const std::string& workload) {
  return {"schedule", workload, R"({"cpu":"test","isa":["avx2"],"threads":4})", "conv_nchwc", 2};
}

MeasurementRecord Ok(int64_t task, int64_t run, const std::string& config, double time_ms) {
  MeasurementRecord record;
  record.task_id = task;
  record.run_id = run;
  record.config = config;
  record.result.value = time_ms;
  record.result.spread = time_ms / 10;
  record.result.repeats = {time_ms * 0.95, time_ms, time_ms * 1.05};
  record.result.compile_ms = 123.25;
  return record;
}

MeasurementRecord Failed(int64_t task, int64_t run, const std::string& config, EvalStatus status,
                         const std::string& error) {
  MeasurementRecord record;
  record.task_id = task;
  record.run_id = run;
  record.config = config;
  record.result.status = status;
  record.result.error = error;
  record.result.compile_ms = 5;
  return record;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << bytes;
}

std::string Export(const RecordStore& store) {
  std::ostringstream out;
  store.ExportJsonl(out);
  return out.str();
}

// Runs statements on a database with the sqlite3 API directly, as another program would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
      << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

// Opening must throw a DbError naming the file and leave it exactly as it was.
void ExpectRefused(const std::string& path, const std::string& expected_words,
                   RecordStore::Access access = RecordStore::Access::kReadWrite) {
  const std::string before = ReadBytes(path);
  try {
    RecordStore store(path, access);
    ADD_FAILURE() << "opened " << path;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDb);
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(expected_words), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_EQ(ReadBytes(path), before);
  for (const char* suffix : {"-wal", "-journal", "-shm"}) {
    EXPECT_FALSE(fs::exists(path + suffix)) << path << suffix;
  }
}

TEST_F(RecordStoreTest, RoundTripsTasksRunsAndMeasurements) {
  const std::string path = Path("records.db");
  int64_t task = 0, other = 0, run = 0;
  constexpr uint64_t kSeed = 0xfedcba9876543210ull;  // above INT64_MAX
  {
    RecordStore store(path);
    task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    EXPECT_EQ(store.EnsureTask(Task("conv2d:c=64"), kTime), task);
    other = store.EnsureTask(Task("matmul:m=128"), kTime);
    EXPECT_NE(other, task);
    run = store.BeginRun({"random", kSeed, "tessel tune --seed 1"});
    MeasurementRecord timed = Ok(task, run, "tile=4;vec=8", 1.5);
    timed.timestamp = "2026-01-02T03:04:05.678Z";
    store.Append({timed, Failed(task, run, "tile=8;vec=8", EvalStatus::kCompileError,
                                "error: \"bad\" schedule\nline 2")});
    store.Append({Ok(other, run, "tile=2", 0.25)});
  }
  RecordStore store(path);
  EXPECT_EQ(store.FindTask(Task("conv2d:c=64")), task);
  EXPECT_EQ(store.FindTask(Task("matmul:m=128")), other);
  EXPECT_FALSE(store.FindTask(Task("unknown")).has_value());
  ProblemKey older = Task("conv2d:c=64");
  older.evaluator_version = 1;
  EXPECT_FALSE(store.FindTask(older).has_value());

  const std::vector<MeasurementRecord> history = store.History(task);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].task_id, task);
  EXPECT_EQ(history[0].run_id, run);
  EXPECT_EQ(history[0].config, "tile=4;vec=8");
  EXPECT_TRUE(history[0].result.ok());
  EXPECT_EQ(history[0].result.value, 1.5);
  EXPECT_EQ(history[0].result.spread, 0.15);
  EXPECT_EQ(history[0].result.repeats, (std::vector<double>{1.5 * 0.95, 1.5, 1.5 * 1.05}));
  EXPECT_EQ(history[0].result.compile_ms, 123.25);
  EXPECT_EQ(history[0].timestamp, "2026-01-02T03:04:05.678Z");

  EXPECT_EQ(history[1].config, "tile=8;vec=8");
  EXPECT_EQ(history[1].result.status, EvalStatus::kCompileError);
  EXPECT_EQ(history[1].result.error, "error: \"bad\" schedule\nline 2");
  EXPECT_TRUE(std::isnan(history[1].result.value));
  EXPECT_TRUE(std::isnan(history[1].result.spread));
  EXPECT_TRUE(history[1].result.repeats.empty());
  // Filled by the store: 2026-11-23T10:00:00.123Z.
  ASSERT_EQ(history[1].timestamp.size(), 24u) << history[1].timestamp;
  EXPECT_EQ(history[1].timestamp[10], 'T');
  EXPECT_EQ(history[1].timestamp.back(), 'Z');

  const std::vector<BestRecord> best = store.BestPerTask();
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best[0].seed, kSeed);
  EXPECT_EQ(best[0].tuner, "random");
  EXPECT_EQ(best[0].task.target, Task("x").target);
  EXPECT_EQ(best[0].task.evaluator_version, 2);

  // The run carries its uuid, command and start time into the export.
  const std::string exported = Export(store);
  const nlohmann::json line = nlohmann::json::parse(exported.substr(0, exported.find('\n')));
  EXPECT_EQ(line["run_seed"].get<uint64_t>(), kSeed);
  EXPECT_EQ(line["run_command"], "tessel tune --seed 1");
  EXPECT_EQ(line["run_uuid"].get<std::string>().size(), 32u);
  EXPECT_EQ(line["run_started_at"].get<std::string>().size(), 24u);
  EXPECT_EQ(line["seq"], 0);
}

TEST_F(RecordStoreTest, SeqIsContiguousPerRun) {
  RecordStore store(Path("records.db"));
  const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t first = store.BeginRun({"random", 1, "a"});
  const int64_t second = store.BeginRun({"anneal", 2, "b"});
  EXPECT_NE(first, second);
  store.Append({Ok(task, first, "a", 1), Ok(task, second, "b", 1), Ok(task, first, "c", 1)});
  store.Append({Ok(task, second, "d", 1), Ok(task, first, "e", 1)});
  std::istringstream lines(Export(store));
  std::vector<int64_t> seqs;
  for (std::string line; std::getline(lines, line);) {
    seqs.push_back(nlohmann::json::parse(line)["seq"].get<int64_t>());
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{0, 0, 1, 1, 2}));
}

TEST_F(RecordStoreTest, BestPerTaskIgnoresFailuresAndPicksTheMinimum) {
  RecordStore store(Path("records.db"));
  const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t only_failures = store.EnsureTask(Task("conv2d:c=128"), kTime);
  const int64_t empty = store.EnsureTask(Task("conv2d:c=256"), kTime);
  const int64_t run = store.BeginRun({"random", 7, "tune"});
  const int64_t later = store.BeginRun({"anneal", 8, "tune again"});
  store.Append({Ok(task, run, "a", 3.0), Failed(task, run, "b", EvalStatus::kCrash, "died"),
                Ok(task, run, "c", 2.0),
                Failed(only_failures, run, "d", EvalStatus::kTimeout, "slow")});
  store.Append({Ok(task, later, "e", 2.0), Ok(task, later, "f", 2.5)});
  (void)empty;

  const std::vector<BestRecord> best = store.BestPerTask();
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].task_id, task);
  EXPECT_EQ(best[0].task.instance, "conv2d:c=64");
  // 2.0 twice: the earlier measurement wins.
  EXPECT_EQ(best[0].record.config, "c");
  EXPECT_EQ(best[0].record.result.value, 2.0);
  EXPECT_EQ(best[0].tuner, "random");
  EXPECT_EQ(best[0].seed, 7u);
  EXPECT_EQ(best[0].measurements, 5);
}

TEST_F(RecordStoreTest, ExportImportRoundTripIsExactAndIdempotent) {
  RecordStore source(Path("source.db"));
  const int64_t task = source.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t other = source.EnsureTask(Task("replay:old.csv"), kTime);
  const int64_t run = source.BeginRun({"random", UINT64_MAX, "tessel tune \"quoted\""});
  const int64_t replay = source.BeginRun({"replay", 0, "tessel import"});
  MeasurementRecord odd = Ok(task, run, "tile=1x2x3;layout=nchwc", 0.1 + 0.2);
  odd.result.spread = std::nan("");
  odd.result.repeats = {1e-300, 0.30000000000000004, 12345.678901234567};
  source.Append({odd, Failed(task, run, "tile=9", EvalStatus::kWrongResult, "ünïcode ✓")});
  source.Append(
      {Failed(other, replay, "x", EvalStatus::kFailed, "nan time"), Ok(other, replay, "y", 42)});
  const std::string exported = Export(source);
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 4);

  RecordStore copy(Path("copy.db"));
  std::istringstream in(exported);
  EXPECT_EQ(copy.ImportJsonl(in), 4);
  EXPECT_EQ(Export(copy), exported);
  ASSERT_EQ(copy.BestPerTask().size(), 2u);
  EXPECT_EQ(copy.BestPerTask()[0].seed, UINT64_MAX);

  std::istringstream again(exported);
  EXPECT_EQ(copy.ImportJsonl(again), 0);
  EXPECT_EQ(Export(copy), exported);

  // Importing into the source itself finds everything already there.
  std::istringstream self(exported);
  EXPECT_EQ(source.ImportJsonl(self), 0);

  // A run continued after an import appends after the imported seqs.
  const int64_t copied_task = *copy.FindTask(Task("conv2d:c=64"));
  const int64_t copied_run = copy.BestPerTask()[0].record.run_id;
  copy.Append({Ok(copied_task, copied_run, "z", 9)});
  EXPECT_NE(Export(copy).find(R"("seq":2,"config":"z")"), std::string::npos);
}

TEST_F(RecordStoreTest, MalformedImportLineAddsNothing) {
  RecordStore source(Path("source.db"));
  const int64_t task = source.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t run = source.BeginRun({"random", 1, "tune"});
  source.Append({Ok(task, run, "a", 1), Ok(task, run, "b", 2)});
  const std::string good = Export(source);
  const std::string first_line = good.substr(0, good.find('\n'));

  auto with = [&](const std::string& key, const nlohmann::json& value) {
    nlohmann::json object = nlohmann::json::parse(first_line);
    object[key] = value;
    object["seq"] = 99;  // a record that would otherwise be new
    return object.dump();
  };
  auto without = [&](const std::string& key) {
    nlohmann::json object = nlohmann::json::parse(first_line);
    object.erase(key);
    return object.dump();
  };
  for (const std::string& bad :
       {std::string("{not json"), std::string("[1, 2]"), without("seq"), without("target"),
        with("status", "exploded"), with("value", "fast"), with("run_seed", -1),
        with("evaluator_version", "2"), with("repeats", nlohmann::json::array({1, "x"})),
        with("metrics", nlohmann::json::array()), with("minimise", 1)}) {
    RecordStore target(Path("target.db"));
    // Blank lines do not count as records but do count as lines.
    std::istringstream in(good + "\n" + bad + "\n" + good);
    try {
      target.ImportJsonl(in);
      ADD_FAILURE() << "imported " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      EXPECT_EQ(std::string(e.what()).rfind("line 4: ", 0), 0u) << e.what();
    }
    EXPECT_EQ(Export(target), "");
  }
}

TEST_F(RecordStoreTest, CreatesInAnEmptyFile) {
  const std::string path = Path("empty.db");
  WriteBytes(path, "");
  {
    RecordStore store(path);
    store.EnsureTask(Task("conv2d:c=64"), kTime);
  }
  RecordStore store(path);
  EXPECT_TRUE(store.FindTask(Task("conv2d:c=64")).has_value());
}

TEST_F(RecordStoreTest, RefusesATextFile) {
  const std::string path = Path("notes.txt");
  WriteBytes(path, "these are my notes, not a database\n");
  ExpectRefused(path, "is not a Tessel database");
}

TEST_F(RecordStoreTest, RefusesAForeignSqliteDatabase) {
  const std::string path = Path("foreign.db");
  RawExec(path, "CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1);");
  ExpectRefused(path, "is not a Tessel database");
  // Even one with a table named meta, lacking Tessel's marker.
  RawExec(path, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);");
  ExpectRefused(path, "is not a Tessel database");
}

TEST_F(RecordStoreTest, RefusesAHeaderFollowedByGarbage) {
  const std::string path = Path("garbage.db");
  std::string bytes("SQLite format 3\0", 16);
  std::mt19937 random(5);
  for (int i = 0; i < 8192; ++i) bytes.push_back(static_cast<char>(random()));
  WriteBytes(path, bytes);
  ExpectRefused(path, "is not a Tessel database");
}

TEST_F(RecordStoreTest, RefusesATesselDatabaseCorruptedInTheMiddle) {
  const std::string path = Path("corrupt.db");
  {
    RecordStore store(path);
    const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    const int64_t run = store.BeginRun({"random", 1, "tune"});
    std::vector<MeasurementRecord> batch;
    for (int i = 0; i < 300; ++i) {
      batch.push_back(Ok(task, run, "config-" + std::string(50, 'a' + i % 26), i + 1.0));
    }
    store.Append(batch);
  }
  ASSERT_FALSE(fs::exists(path + "-wal"));  // checkpointed on close
  std::string bytes = ReadBytes(path);
  ASSERT_GT(bytes.size(), 8 * 4096u);
  // A whole page's worth spans one page header, which quick_check cannot miss.
  std::mt19937 random(11);
  for (size_t i = bytes.size() / 2 - 2048; i < bytes.size() / 2 + 2048; ++i) {
    bytes[i] = static_cast<char>(random());
  }
  WriteBytes(path, bytes);
  ExpectRefused(path, "is not a Tessel database");
}

TEST_F(RecordStoreTest, RefusesANewerSchema) {
  const std::string path = Path("newer.db");
  { RecordStore store(path); }
  RawExec(path, "UPDATE meta SET value = '" + std::to_string(RecordStore::kSchemaVersion + 1) +
                    "' WHERE key = 'schema_version'");
  ExpectRefused(path, "was written by a newer Tessel");
}

TEST_F(RecordStoreTest, RefusesAnUnwritablePath) {
  const std::string missing_dir = Path("no/such/dir/records.db");
  try {
    RecordStore store(missing_dir);
    ADD_FAILURE() << "created " << missing_dir;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDb);
    EXPECT_NE(std::string(e.what()).find(missing_dir), std::string::npos) << e.what();
  }
  EXPECT_THROW(RecordStore store(dir_.string()), Error);
}

// A writer killed at any moment keeps every batch it committed, each batch whole.
TEST_F(RecordStoreTest, KilledWriterLosesNothingCommitted) {
  const std::string path = Path("killed.db");
  int64_t task = 0, run = 0;
  {
    RecordStore store(path);
    task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    run = store.BeginRun({"random", 1, "tune"});
  }
  int progress[2];
  ASSERT_EQ(pipe(progress), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(progress[0]);
    try {
      RecordStore store(path);
      for (int batch = 0; batch < 100000; ++batch) {
        std::vector<MeasurementRecord> records;
        for (int i = 0; i < 10; ++i) {
          records.push_back(Ok(task, run, std::to_string(batch) + "/" + std::to_string(i), 1));
        }
        store.Append(records);
        if (write(progress[1], "x", 1) != 1) _exit(1);
      }
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  close(progress[1]);
  int committed = 0;
  char byte;
  while (committed < 3 && read(progress[0], &byte, 1) == 1) ++committed;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(progress[0]);
  ASSERT_EQ(committed, 3) << "the writer stopped early, status " << status;
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  RecordStore store(path);
  const std::vector<MeasurementRecord> history = store.History(task);
  EXPECT_GE(history.size(), 30u);
  EXPECT_EQ(history.size() % 10, 0u);
  for (size_t n = 0; n < history.size(); ++n) {
    EXPECT_EQ(history[n].config, std::to_string(n / 10) + "/" + std::to_string(n % 10));
  }
  std::istringstream lines(Export(store));
  int64_t expected_seq = 0;
  for (std::string line; std::getline(lines, line); ++expected_seq) {
    EXPECT_EQ(nlohmann::json::parse(line)["seq"].get<int64_t>(), expected_seq);
  }
  EXPECT_EQ(expected_seq, static_cast<int64_t>(history.size()));
  // And the store goes on where the killed writer stopped.
  store.Append({Ok(task, run, "after", 1)});
  EXPECT_EQ(store.History(task).size(), history.size() + 1);
}

TEST_F(RecordStoreTest, StoresRunTimes) {
  const std::string path = Path("times.db");
  RecordStore store(path);
  const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t run = store.BeginRun({"autotvm", 1, "tune"});
  store.RecordRunTimes({run, task, 10, 1.5, 2.5, 0.25, 0.125, 4.5});
  const std::vector<RunTimes> all = store.AllRunTimes();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].measurements, 10);
  EXPECT_DOUBLE_EQ(all[0].compile_s, 1.5);
  EXPECT_DOUBLE_EQ(all[0].run_s, 2.5);
  EXPECT_DOUBLE_EQ(all[0].fit_s, 0.25);
  EXPECT_DOUBLE_EQ(all[0].search_s, 0.125);
  EXPECT_DOUBLE_EQ(all[0].wall_s, 4.5);
}

// A database written by schema 1 (before run_times) opens, keeps its records and gains the
// table.
// testdata/schema_v2.db was written by the release before schema 3 (`tessel tune --space` on
// a five-row table with grid search, then `tessel tune --workload dense:in=64,out=32` with
// random search: 9 measurements of a replay task and a schedule task), and
// testdata/schema_v2_export.jsonl is its `tessel export`.
std::string Fixture(const std::string& name) {
  return std::string(TESSEL_SOURCE_DIR) + "/src/records/testdata/" + name;
}

TEST_F(RecordStoreTest, MigratesASchemaTwoDatabaseWithoutLoss) {
  const std::string path = Path("v2.db");
  std::filesystem::copy_file(Fixture("schema_v2.db"), path);
  RecordStore store(path);
  const auto tasks = store.Tasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].second.problem, "replay");
  EXPECT_EQ(tasks[0].second.instance, "replay:small.csv#ccfddcef51388bb3");
  EXPECT_EQ(tasks[1].second.problem, "schedule");
  EXPECT_EQ(tasks[1].second.instance, "dense:in=64,out=32");
  EXPECT_EQ(tasks[1].second.evaluator, "dense_cpu");
  EXPECT_EQ(tasks[1].second.evaluator_version, 1);
  const std::vector<MeasurementRecord> replay = store.History(tasks[0].first);
  ASSERT_EQ(replay.size(), 5u);
  EXPECT_EQ(replay[0].config, "tile=1;mode=a");
  EXPECT_EQ(replay[0].result.value, 3.5);
  EXPECT_EQ(replay[0].result.repeats, std::vector<double>{3.5});
  EXPECT_TRUE(replay[0].result.metrics.empty());
  EXPECT_EQ(replay[4].config, "tile=4;mode=a");
  EXPECT_EQ(replay[4].result.status, EvalStatus::kFailed);
  EXPECT_EQ(store.History(tasks[1].first).size(), 4u);  // the default and 3 random
  EXPECT_EQ(store.AllRunTimes().size(), 2u);
  const std::vector<BestRecord> best = store.BestPerTask();
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best[0].record.config, "tile=1;mode=b");
  EXPECT_EQ(best[0].objective.name, "time");
  EXPECT_EQ(best[0].objective.unit, "ms");
  EXPECT_TRUE(best[0].objective.minimise);
  EXPECT_EQ(best[0].tuner, "grid");
  EXPECT_EQ(best[0].seed, 7u);
  EXPECT_EQ(best[0].host, "{}");  // runs of schema 2 did not describe their host

  // The old export, imported into a new database, gives the migrated database's records.
  const std::string imported_path = Path("imported.db");
  RecordStore imported(imported_path);
  std::ifstream old_export(Fixture("schema_v2_export.jsonl"));
  EXPECT_EQ(imported.ImportJsonl(old_export), 9);
  EXPECT_EQ(Export(imported), Export(store));
  // New records of the migrated tasks go on after the old ones, with metrics.
  const int64_t run = store.BeginRun({"random", 3, "tune"});
  MeasurementRecord record = Ok(tasks[0].first, run, "tile=2;mode=b", 4.0);
  record.result.metrics = {{"area", 1.5}};
  store.Append({record});
  EXPECT_EQ(store.History(tasks[0].first).back().result.metrics.at("area"), 1.5);
}

TEST_F(RecordStoreTest, MetricsRoundTripWhateverTheirNamesAndValues) {
  RecordStore store(Path("metrics.db"));
  const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t run = store.BeginRun({"random", 1, "tune"});
  MeasurementRecord record = Ok(task, run, "a", 1.0);
  record.result.metrics = {{"area", 1.5e12}, {"power.w", std::nan("")}, {"odd \"name\"", -2}};
  MeasurementRecord infeasible = Ok(task, run, "b", 3.0);
  infeasible.result.status = EvalStatus::kInfeasible;
  infeasible.result.error = "area 3e+12 > 1e+12";
  infeasible.result.metrics = {{"area", 3e12}};
  store.Append({record, infeasible});
  const std::vector<MeasurementRecord> history = store.History(task);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].result.metrics.at("area"), 1.5e12);
  EXPECT_TRUE(std::isnan(history[0].result.metrics.at("power.w")));
  EXPECT_EQ(history[0].result.metrics.at("odd \"name\""), -2);
  EXPECT_EQ(history[1].result.status, EvalStatus::kInfeasible);
  EXPECT_EQ(history[1].result.value, 3.0);  // kept, though never the best
  EXPECT_EQ(store.BestPerTask()[0].record.config, "a");
  RecordStore copy(Path("metrics_copy.db"));
  std::istringstream exported(Export(store));
  EXPECT_EQ(copy.ImportJsonl(exported), 2);
  EXPECT_EQ(Export(copy), Export(store));
}

TEST_F(RecordStoreTest, RunsKeepTheirHostThroughBestExportAndImport) {
  RecordStore store(Path("host.db"));
  const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
  const std::string host = R"({"cpu":"AMD EPYC","family":26,"fma_peak_gflops":524.0})";
  const int64_t run = store.BeginRun({"random", 1, "tune", host});
  const int64_t unknown = store.BeginRun({"random", 2, "tune"});
  store.Append({Ok(task, run, "a", 1.0), Ok(task, unknown, "b", 2.0)});
  ASSERT_EQ(store.BestPerTask().size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(store.BestPerTask()[0].host), nlohmann::json::parse(host));
  const std::string exported = Export(store);
  EXPECT_NE(exported.find(R"("run_host":{"cpu":"AMD EPYC")"), std::string::npos) << exported;
  EXPECT_NE(exported.find(R"("run_host":{})"), std::string::npos) << exported;
  RecordStore copy(Path("host_copy.db"));
  std::istringstream in(exported);
  EXPECT_EQ(copy.ImportJsonl(in), 2);
  EXPECT_EQ(Export(copy), exported);
  EXPECT_EQ(nlohmann::json::parse(copy.BestPerTask()[0].host), nlohmann::json::parse(host));

  // An export without hosts (before schema 4) imports with unknown ones; a host that is not an
  // object is refused, naming the line.
  std::string line = exported.substr(0, exported.find('\n'));
  nlohmann::ordered_json object = nlohmann::ordered_json::parse(line);
  object.erase("run_host");
  object["run_uuid"] = "older";
  RecordStore older(Path("older.db"));
  std::istringstream without(object.dump());
  EXPECT_EQ(older.ImportJsonl(without), 1);
  EXPECT_EQ(older.BestPerTask()[0].host, "{}");
  object["run_host"] = "AMD EPYC";
  std::istringstream wrong(object.dump());
  try {
    older.ImportJsonl(wrong);
    ADD_FAILURE() << "a host that is not an object was imported";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 1: field 'run_host' is not an object"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(RecordStoreTest, MigratesASchemaThreeDatabase) {
  const std::string path = Path("v3.db");
  {
    RecordStore store(path);
    const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    store.Append({Ok(task, store.BeginRun({"random", 1, "tune"}), "a", 1.0)});
  }
  // Schema 3 was schema 4 without the runs' hosts.
  RawExec(path,
          "ALTER TABLE runs DROP COLUMN host; "
          "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  RecordStore store(path);
  ASSERT_EQ(store.BestPerTask().size(), 1u);
  EXPECT_EQ(store.BestPerTask()[0].host, "{}");
  const int64_t run = store.BeginRun({"random", 2, "tune", R"({"cpu":"x"})"});
  store.Append({Ok(1, run, "b", 0.5)});
  EXPECT_EQ(store.BestPerTask()[0].host, R"({"cpu":"x"})");
}

TEST_F(RecordStoreTest, MigratesASchemaOneDatabase) {
  const std::string path = Path("v1.db");
  std::filesystem::copy_file(Fixture("schema_v2.db"), path);
  // Schema 1 was schema 2 without run_times.
  RawExec(path, "DROP TABLE run_times; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  RecordStore store(path);
  EXPECT_EQ(store.Tasks().size(), 2u);
  EXPECT_EQ(store.BestPerTask().size(), 2u);
  store.RecordRunTimes({1, 1, 2, 0, 0, 0, 0, 1});
  EXPECT_EQ(store.AllRunTimes().size(), 1u);
}

// What a report reads: nothing is written, not even the -wal and -shm files a reader of a WAL
// database otherwise leaves beside it.
TEST_F(RecordStoreTest, ReadOnlyReadsEverythingAndWritesNothing) {
  const std::string path = Path("records.db");
  {
    RecordStore store(path);
    const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    const int64_t run = store.BeginRun({"autotvm", 3, "tessel tune", R"({"cpu":"x"})"});
    store.Append({Ok(task, run, "a", 2.0), Ok(task, run, "b", 1.0)});
    store.RecordRunTimes({run, task, 2, 1, 1, 0, 0, 2});
  }
  const std::string before = ReadBytes(path);
  {
    const RecordStore store(path, RecordStore::Access::kReadOnly);
    ASSERT_EQ(store.Tasks().size(), 1u);
    EXPECT_EQ(store.Objective(store.Tasks()[0].first).name, "time");
    EXPECT_EQ(store.History(store.Tasks()[0].first).size(), 2u);
    ASSERT_EQ(store.BestPerTask().size(), 1u);
    EXPECT_EQ(store.BestPerTask()[0].record.config, "b");
    EXPECT_EQ(store.AllRunTimes().size(), 1u);
    const std::vector<StoredRun> runs = store.Runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].info.tuner, "autotvm");
    EXPECT_EQ(runs[0].info.seed, 3u);
    EXPECT_EQ(runs[0].info.command, "tessel tune");
    EXPECT_EQ(runs[0].info.host, R"({"cpu":"x"})");
    EXPECT_EQ(runs[0].uuid.size(), 32u);
    EXPECT_FALSE(runs[0].started_at.empty());
    EXPECT_FALSE(Export(store).empty());
  }
  EXPECT_EQ(ReadBytes(path), before);
  for (const char* suffix : {"-wal", "-journal", "-shm"}) {
    EXPECT_FALSE(fs::exists(path + suffix)) << path << suffix;
  }
}

// Read-only opening goes through a URI, where these characters mean something.
TEST_F(RecordStoreTest, ReadOnlyOpensFilesWhoseNamesURIsWouldMisread) {
  const std::string path = Path("odd ?name=1#part%20.db");
  {
    RecordStore store(path);
    store.EnsureTask(Task("conv2d:c=64"), kTime);
  }
  EXPECT_EQ(RecordStore(path, RecordStore::Access::kReadOnly).Tasks().size(), 1u);
  EXPECT_FALSE(fs::exists(Path("odd ")));
}

TEST_F(RecordStoreTest, ReadOnlySeesWhatAnOpenWriterCommitted) {
  const std::string path = Path("live.db");
  RecordStore writer(path);
  const int64_t task = writer.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t run = writer.BeginRun({"random", 1, "tune"});
  writer.Append({Ok(task, run, "a", 2.0)});
  ASSERT_TRUE(fs::exists(path + "-wal"));  // the record may be in it alone
  {
    const RecordStore reader(path, RecordStore::Access::kReadOnly);
    EXPECT_EQ(reader.History(task).size(), 1u);
  }
  writer.Append({Ok(task, run, "b", 1.0)});  // the writer goes on
  EXPECT_EQ(RecordStore(path, RecordStore::Access::kReadOnly).History(task).size(), 2u);
}

// What `tessel serve` opens: a reader that stays open must see the commits of a writer that
// starts after it, which an immutable one would not, and one request's reads must agree.
TEST_F(RecordStoreTest, ALiveReaderSeesLaterWritersAndReadsOneSnapshotAtATime) {
  const std::string path = Path("live.db");
  int64_t task = 0, run = 0;
  {
    RecordStore store(path);
    task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    run = store.BeginRun({"random", 1, "tune"});
    store.Append({Ok(task, run, "a", 2.0)});
  }
  // Closed and checkpointed: nobody has it open, where kReadOnly reads it immutable.
  ASSERT_FALSE(fs::exists(path + "-wal"));
  const RecordStore reader(path, RecordStore::Access::kReadOnlyLive);
  EXPECT_EQ(reader.History(task).size(), 1u);

  RecordStore writer(path);  // a tune starts while the reader is open
  writer.Append({Ok(task, run, "b", 1.0)});
  EXPECT_EQ(reader.History(task).size(), 2u);
  {
    const RecordStore::ReadSnapshot snapshot(reader);
    EXPECT_EQ(reader.History(task).size(), 2u);
    writer.Append({Ok(task, run, "c", 3.0)});    // the writer is not held up
    EXPECT_EQ(reader.History(task).size(), 2u);  // and the snapshot holds
    EXPECT_EQ(reader.BestPerTask().at(0).measurements, 2);
  }
  EXPECT_EQ(reader.History(task).size(), 3u);
  EXPECT_EQ(reader.BestPerTask().at(0).measurements, 3);
}

TEST_F(RecordStoreTest, ReadOnlyRefusesWhatReadWriteRefusesAndCreatesNothing) {
  constexpr auto kReadOnly = RecordStore::Access::kReadOnly;
  const std::string text = Path("notes.txt");
  WriteBytes(text, "these are my notes, not a database\n");
  ExpectRefused(text, "is not a Tessel database", kReadOnly);
  const std::string foreign = Path("foreign.db");
  RawExec(foreign, "CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1);");
  ExpectRefused(foreign, "is not a Tessel database", kReadOnly);
  const std::string empty = Path("empty.db");
  WriteBytes(empty, "");
  ExpectRefused(empty, "is not a Tessel database (it is empty)", kReadOnly);
  const std::string newer = Path("newer.db");
  { RecordStore store(newer); }
  RawExec(newer, "UPDATE meta SET value = '" + std::to_string(RecordStore::kSchemaVersion + 1) +
                     "' WHERE key = 'schema_version'");
  ExpectRefused(newer, "was written by a newer Tessel", kReadOnly);

  const std::string missing = Path("missing.db");
  try {
    RecordStore store(missing, kReadOnly);
    ADD_FAILURE() << "opened " << missing;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kDb);
    EXPECT_NE(std::string(e.what()).find(missing + " does not exist"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_THROW(RecordStore store(dir_.string(), kReadOnly), Error);
}

TEST_F(RecordStoreTest, ReadOnlyReadsASchemaThreeDatabaseWithoutUpgradingIt) {
  const std::string path = Path("v3.db");
  {
    RecordStore store(path);
    const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    store.Append({Ok(task, store.BeginRun({"random", 1, "tune"}), "a", 1.0)});
  }
  RawExec(path,
          "ALTER TABLE runs DROP COLUMN host; "
          "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  const std::string before = ReadBytes(path);
  {
    const RecordStore store(path, RecordStore::Access::kReadOnly);
    ASSERT_EQ(store.BestPerTask().size(), 1u);
    EXPECT_EQ(store.BestPerTask()[0].host, "{}");
    ASSERT_EQ(store.Runs().size(), 1u);
    EXPECT_EQ(store.Runs()[0].info.host, "{}");
    EXPECT_NE(Export(store).find(R"("run_host":{})"), std::string::npos);
  }
  EXPECT_EQ(ReadBytes(path), before);
}

TEST_F(RecordStoreTest, ReadOnlyRefusesAnOlderSchemaNamingTheCommandThatUpgradesIt) {
  const std::string path = Path("v2.db");
  std::filesystem::copy_file(Fixture("schema_v2.db"), path);
  ExpectRefused(path, "run 'tessel best --db " + path + "' once", RecordStore::Access::kReadOnly);
}

TEST_F(RecordStoreTest, TunerLogRoundTripsAndPairsWithMeasurements) {
  RecordStore store(Path("records.db"));
  const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
  const int64_t other = store.EnsureTask(Task("conv2d:c=128"), kTime);
  const int64_t run = store.BeginRun({"autotvm", 1, "tune"});
  // seqs 0 and 1 on `task`, 2 on `other`.
  store.Append({Ok(task, run, "a", 2.0), Failed(task, run, "b", EvalStatus::kRuntimeError, "crash"),
                Ok(other, run, "c", 3.0)});
  EXPECT_TRUE(store.TunerLog(task).empty());
  store.AppendTunerLog({{run, task, 1, "reward", 0.5},
                        {run, task, 0, "reward", -1.5},
                        {run, task, 0, "predicted", 0.25},
                        {run, task, 1, "predicted", 0.75},
                        {run, task, 2, "predicted", 0.9},  // seq 2 is the other task's
                        {run, other, 2, "predicted", std::nan("")}});
  const std::vector<TunerLogEntry> log = store.TunerLog(task);
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0].name, "predicted");
  EXPECT_EQ(log[3].name, "reward");
  EXPECT_EQ(log[3].step, 0);
  EXPECT_EQ(log[3].value, -1.5);
  EXPECT_EQ(log[4].step, 1);
  const std::vector<TunerLogEntry> other_log = store.TunerLog(other);
  ASSERT_EQ(other_log.size(), 1u);
  EXPECT_TRUE(std::isnan(other_log[0].value));

  const std::vector<LoggedAgainstMeasured> pairs =
      store.TunerLogAgainstMeasured(run, task, "predicted");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].step, 0);
  EXPECT_EQ(pairs[0].logged, 0.25);
  EXPECT_EQ(pairs[0].measured, 2.0);
  EXPECT_TRUE(std::isnan(pairs[1].measured));  // the failed one
  EXPECT_EQ(store.TunerLogAgainstMeasured(run, other, "predicted").size(), 1u);
  EXPECT_TRUE(store.TunerLogAgainstMeasured(run + 1, task, "predicted").empty());
}

// A database as schema 4 wrote it: the same tables without tuner_log.
void MakeSchemaFour(const std::string& path) {
  RawExec(path,
          "DROP TABLE tuner_log; DROP TABLE network_layers; DROP TABLE network_runs; "
          "UPDATE meta SET value = '4' WHERE key = 'schema_version'");
}

TEST_F(RecordStoreTest, MigratesASchemaFourDatabaseKeepingEveryRecord) {
  const std::string path = Path("v4.db");
  {
    RecordStore store(path);
    const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    const int64_t run = store.BeginRun({"random", 1, "tune", R"({"cpu":"x"})"});
    store.Append({Ok(task, run, "a", 1.0), Failed(task, run, "b", EvalStatus::kTimeout, "slow"),
                  Ok(task, run, "c", 0.5)});
    store.RecordRunTimes({run, task, 3, 1, 2, 0, 0, 4});
  }
  MakeSchemaFour(path);
  std::string before;
  {
    const RecordStore old(path, RecordStore::Access::kReadOnly);
    before = Export(old);
  }
  RecordStore store(path);
  EXPECT_EQ(Export(store), before);
  EXPECT_EQ(store.AllRunTimes().size(), 1u);
  ASSERT_EQ(store.BestPerTask().size(), 1u);
  EXPECT_EQ(store.BestPerTask()[0].record.result.value, 0.5);
  EXPECT_EQ(store.BestPerTask()[0].host, R"({"cpu":"x"})");
  store.AppendTunerLog({{1, 1, 0, "reward", 1.0}});
  EXPECT_EQ(store.TunerLog(1).size(), 1u);
}

TEST_F(RecordStoreTest, ReadOnlyReadsASchemaFourDatabaseWithAnEmptyTunerLog) {
  const std::string path = Path("v4.db");
  {
    RecordStore store(path);
    const int64_t task = store.EnsureTask(Task("conv2d:c=64"), kTime);
    store.Append({Ok(task, store.BeginRun({"random", 1, "tune"}), "a", 1.0)});
  }
  MakeSchemaFour(path);
  const std::string before = ReadBytes(path);
  {
    const RecordStore store(path, RecordStore::Access::kReadOnly);
    EXPECT_EQ(store.BestPerTask().size(), 1u);
    EXPECT_TRUE(store.TunerLog(1).empty());
    EXPECT_TRUE(store.TunerLogAgainstMeasured(1, 1, "predicted").empty());
  }
  EXPECT_EQ(ReadBytes(path), before);
}

TEST_F(RecordStoreTest, RecordingThroughAReadOnlyStoreIsABug) {
  const std::string path = Path("records.db");
  { RecordStore store(path); }
  const std::string before = ReadBytes(path);
  EXPECT_DEATH(
      {
        RecordStore store(path, RecordStore::Access::kReadOnly);
        store.BeginRun({"random", 1, "tune"});
      },
      "opened read-only was asked to record");
  EXPECT_EQ(ReadBytes(path), before);
}

}  // namespace
}  // namespace tessel
