#include "records/record_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <random>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "records/network_runs.h"
#include "records/sqlite_statement.h"

namespace tessel {
namespace {

constexpr int kApplicationId = 0x5453534C;  // "TSSL"
constexpr std::string_view kApplicationName = "tessel";
constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};

using sql::Exec;
using sql::Statement;
using sql::Transaction;

// Closes the connection unless it was handed over; the constructor throws on many paths.
struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

std::string NewUuid() {
  std::random_device device;
  std::string hex;
  for (int word = 0; word < 4; ++word) {
    char text[9];
    snprintf(text, sizeof(text), "%08x", static_cast<unsigned>(device()) & 0xffffffffu);
    hex += text;
  }
  return hex;
}

// SQLite integers are signed; the seed keeps all 64 bits through a bit-preserving cast.
int64_t SeedToSql(uint64_t seed) { return static_cast<int64_t>(seed); }
uint64_t SeedFromSql(int64_t value) { return static_cast<uint64_t>(value); }

std::string NotTessel(const std::string& path, const std::string& why) {
  return path + " is not a Tessel database (" + why + "); give another --db path";
}

void CheckHeader(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw DbError(path + ": cannot be read; give another --db path");
  std::array<char, 16> header{};
  file.read(header.data(), header.size());
  if (file.gcount() != static_cast<std::streamsize>(header.size()) ||
      std::string_view(header.data(), header.size()) != kSqliteHeader) {
    throw DbError(NotTessel(path, "it is not an SQLite database"));
  }
}

// Reads (never writes) enough of an existing file to know it is a Tessel database this build
// understands. Corruption anywhere in the file is caught here by quick_check rather than in
// the middle of a tuning run.
int Validate(sqlite3* db, const std::string& path) {
  try {
    bool has_meta = false;
    {
      Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
      while (tables.Step()) has_meta |= tables.Text(0) == "meta";
    }
    int64_t application_id = 0;
    {
      Statement pragma(db, "PRAGMA application_id");
      if (pragma.Step()) application_id = pragma.Int(0);
    }
    if (!has_meta || application_id != kApplicationId) {
      throw DbError(NotTessel(path, "it is an SQLite database of another application"));
    }
    // Tessel creates neither; in a file from elsewhere one could stand in for a table or run
    // on a write, with any query, even an endless one.
    {
      Statement extras(db,
                       "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger')");
      if (extras.Step()) {
        throw DbError(NotTessel(path, "it has a " + extras.Text(0) + " '" + extras.Text(1) +
                                          "', which Tessel never creates"));
      }
    }
    std::map<std::string, std::string> meta;
    {
      Statement rows(db, "SELECT key, value FROM meta");
      while (rows.Step()) meta[rows.Text(0)] = rows.Text(1);
    }
    if (meta["application"] != kApplicationName) {
      throw DbError(NotTessel(path, "its meta table does not name Tessel"));
    }
    int version = 0;
    try {
      size_t used = 0;
      version = std::stoi(meta["schema_version"], &used);
      if (used != meta["schema_version"].size()) version = 0;
    } catch (const std::logic_error&) {
      version = 0;
    }
    if (version > RecordStore::kSchemaVersion) {
      throw DbError(path + " was written by a newer Tessel (schema version " +
                    std::to_string(version) + ", this one reads up to " +
                    std::to_string(RecordStore::kSchemaVersion) +
                    "); upgrade Tessel or give another --db path");
    }
    if (version < 1) {
      throw DbError(NotTessel(
          path, "its schema version '" + meta["schema_version"] + "' is not one Tessel wrote"));
    }
    Statement check(db, "PRAGMA quick_check");
    std::string verdict;
    while (check.Step()) verdict += (verdict.empty() ? "" : "; ") + check.Text(0);
    // quick_check's report spans lines; the error stays one line.
    std::replace(verdict.begin(), verdict.end(), '\n', ' ');
    if (verdict != "ok") throw DbError(NotTessel(path, "it is corrupt: " + verdict));
    return version;
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.starts_with(path + " ")) throw;
    // An SQLite error while reading ("<file>: <sqlite3_errmsg>"): a lock held too long is not
    // the file's fault, anything else is.
    const std::string prefix = std::string(sqlite3_db_filename(db, "main")) + ": ";
    const std::string reason =
        message.starts_with(prefix) ? message.substr(prefix.size()) : message;
    if (reason == sqlite3_errstr(SQLITE_BUSY) || reason == sqlite3_errstr(SQLITE_LOCKED)) {
      throw DbError(path + " is locked by another process (" + reason + ")");
    }
    throw DbError(NotTessel(path, "reading it failed: " + reason));
  }
}

// Schema 2 added where each run's wall time went per task.
void CreateRunTimesTable(sqlite3* db) {
  Exec(db,
       "CREATE TABLE IF NOT EXISTS run_times ("
       "run_id INTEGER NOT NULL REFERENCES runs (id), "
       "task_id INTEGER NOT NULL REFERENCES tasks (id), measurements INTEGER NOT NULL, "
       "compile_s REAL NOT NULL, run_s REAL NOT NULL, fit_s REAL NOT NULL, "
       "search_s REAL NOT NULL, wall_s REAL NOT NULL, PRIMARY KEY (run_id, task_id))");
}

// Schema 5: what tuners report while they learn (tune/strategy.h's TunerStat). No foreign keys
// to keep inserts cheap and the table independent of a record's deletion by hand; the index
// serves the report, which reads one task's log at a time.
void CreateTunerLogTable(sqlite3* db) {
  Exec(db,
       "CREATE TABLE IF NOT EXISTS tuner_log ("
       "id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, task_id INTEGER NOT NULL, "
       "step INTEGER NOT NULL, name TEXT NOT NULL, value REAL)");
  Exec(db, "CREATE INDEX IF NOT EXISTS tuner_log_run_task ON tuner_log (run_id, task_id)");
  Exec(db, "CREATE INDEX IF NOT EXISTS tuner_log_task ON tuner_log (task_id)");
}

constexpr std::string_view kCreateTasks =
    "CREATE TABLE IF NOT EXISTS tasks ("
    "id INTEGER PRIMARY KEY, problem TEXT NOT NULL, instance TEXT NOT NULL, "
    "target TEXT NOT NULL, evaluator TEXT NOT NULL, evaluator_version INTEGER NOT NULL, "
    "objective TEXT NOT NULL, unit TEXT NOT NULL, minimise INTEGER NOT NULL, "
    "UNIQUE (problem, instance, target, evaluator, evaluator_version))";

// The problem of a task recorded before schema 3, when Tessel had two: replay tables, whose
// workloads read "replay:<file>#<hash>", and operator schedules. Both minimised time in ms.
constexpr std::string_view kLegacyProblem =
    "CASE WHEN workload LIKE 'replay:%' THEN 'replay' ELSE 'schedule' END";

// Schema 3: tasks are keyed by problem, instance and evaluator instead of workload and
// template, and keep their objective; an evaluation's time becomes its objective value, and it
// gains metrics. SQLite's table rebuild (create, copy, drop, rename), as its ALTER TABLE
// documentation prescribes for changing a UNIQUE constraint; ids are kept, so measurements and
// run_times still point at their tasks.
void MigrateToSchema3(sqlite3* db) {
  std::string create_new(kCreateTasks);
  create_new.replace(create_new.find("tasks"), 5, "tasks_v3");
  Exec(db, create_new);
  Exec(db,
       "INSERT INTO tasks_v3 (id, problem, instance, target, evaluator, evaluator_version, "
       "objective, unit, minimise) SELECT id, " +
           std::string(kLegacyProblem) +
           ", workload, target, template_name, template_version, 'time', 'ms', 1 FROM tasks");
  Exec(db, "DROP TABLE tasks");
  Exec(db, "ALTER TABLE tasks_v3 RENAME TO tasks");
  Exec(db, "ALTER TABLE measurements RENAME COLUMN time_ms TO value");
  Exec(db, "ALTER TABLE measurements RENAME COLUMN spread_ms TO spread");
  Exec(db, "ALTER TABLE measurements RENAME COLUMN repeats_ms TO repeats");
  Exec(db, "ALTER TABLE measurements ADD COLUMN metrics TEXT NOT NULL DEFAULT '{}'");
}

// Upgrades a database of an older schema in place, in one transaction: every record is kept,
// and a failure leaves the file as it was.
void UpgradeSchema(sqlite3* db, int from_version) {
  Transaction transaction(db);
  CreateRunTimesTable(db);
  if (from_version < 3) MigrateToSchema3(db);
  // Schema 4: runs describe their host; those recorded before did not.
  if (from_version < 4) Exec(db, "ALTER TABLE runs ADD COLUMN host TEXT NOT NULL DEFAULT '{}'");
  CreateTunerLogTable(db);
  CreateNetworkRunTables(db);  // schema 6
  Statement meta(db, "UPDATE meta SET value = ? WHERE key = 'schema_version'");
  meta.BindText(1, std::to_string(RecordStore::kSchemaVersion));
  meta.Run();
  transaction.Commit();
}

void CreateSchema(sqlite3* db) {
  // IF NOT EXISTS and OR IGNORE: another process may be creating the same new file.
  Transaction transaction(db);
  Exec(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
  Exec(db, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)");
  Exec(db, kCreateTasks);
  Exec(db,
       "CREATE TABLE IF NOT EXISTS runs ("
       "id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, tuner TEXT NOT NULL, "
       "seed INTEGER NOT NULL, command TEXT NOT NULL, started_at TEXT NOT NULL, "
       "host TEXT NOT NULL DEFAULT '{}')");
  Exec(db,
       "CREATE TABLE IF NOT EXISTS measurements ("
       "id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks (id), "
       "run_id INTEGER NOT NULL REFERENCES runs (id), seq INTEGER NOT NULL, "
       "config TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL, value REAL, "
       "spread REAL, repeats TEXT NOT NULL, compile_ms REAL, timestamp TEXT NOT NULL, "
       "metrics TEXT NOT NULL DEFAULT '{}', UNIQUE (run_id, seq))");
  Exec(db, "CREATE INDEX IF NOT EXISTS measurements_task ON measurements (task_id)");
  CreateRunTimesTable(db);
  CreateTunerLogTable(db);
  CreateNetworkRunTables(db);
  Statement meta(db, "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
  meta.BindText(1, "schema_version").BindText(2, std::to_string(RecordStore::kSchemaVersion));
  meta.Run();
  meta.Reset();
  meta.BindText(1, "application").BindText(2, kApplicationName);
  meta.Run();
  transaction.Commit();
}

std::string RepeatsToJson(const std::vector<double>& repeats) {
  if (repeats.empty()) return "[]";  // analytical problems: the common case, kept cheap
  nlohmann::json array = nlohmann::json::array();
  for (double repeat : repeats) {
    if (std::isfinite(repeat)) {
      array.push_back(repeat);
    } else {
      array.push_back(nullptr);
    }
  }
  return array.dump();
}

// Accepts a number or null (NaN); anything else is the caller's error to name.
bool ReadDouble(const nlohmann::json& value, double* out) {
  if (value.is_null()) {
    *out = std::nan("");
    return true;
  }
  if (!value.is_number()) return false;
  *out = value.get<double>();
  return true;
}

std::vector<double> RepeatsFromJson(const std::string& text) {
  const nlohmann::json array = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<double> repeats;
  double value;
  if (!array.is_array()) throw DbError("stored repeats is not a JSON array: " + text);
  for (const auto& element : array) {
    if (!ReadDouble(element, &value)) throw DbError("stored repeats is malformed: " + text);
    repeats.push_back(value);
  }
  return repeats;
}

// Metrics as a JSON object of numbers (null for NaN or infinity, which JSON lacks).
template <typename Json>
Json MetricsToJson(const Metrics& metrics) {
  Json object = Json::object();
  for (const auto& [name, value] : metrics) {
    if (std::isfinite(value)) {
      object[name] = value;
    } else {
      object[name] = nullptr;
    }
  }
  return object;
}

// The metrics column's text: JSON written by hand for names that need no escaping (what
// problems use), as analytical problems store hundreds of thousands of these per second.
std::string MetricsText(const Metrics& metrics) {
  std::string text = "{";
  for (const auto& [name, value] : metrics) {
    const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
    if (!plain) return MetricsToJson<nlohmann::json>(metrics).dump();
    if (text.size() > 1) text += ',';
    text += '"';
    text += name;
    text += "\":";
    if (std::isfinite(value)) {
      char number[32];
      text.append(number, std::to_chars(number, number + sizeof(number), value).ptr);
    } else {
      text += "null";
    }
  }
  return text + '}';
}

// Reads what MetricsToJson wrote; false when `object` is not an object of numbers or nulls.
bool ReadMetrics(const nlohmann::json& object, Metrics* metrics) {
  if (!object.is_object()) return false;
  for (const auto& [name, element] : object.items()) {
    double value;
    if (!ReadDouble(element, &value)) return false;
    (*metrics)[name] = value;
  }
  return true;
}

Metrics MetricsFromSql(const std::string& text) {
  Metrics metrics;
  if (!ReadMetrics(nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false), &metrics))
    throw DbError("stored metrics are not a JSON object of numbers: " + text);
  return metrics;
}

EvalStatus StatusFromSql(const std::string& name) {
  try {
    return EvalStatusFromName(name);
  } catch (const Error& e) {
    throw DbError(std::string("stored measurement has an ") + e.what());
  }
}

// The measurement columns every reader selects, in the order ReadMeasurement expects.
constexpr std::string_view kMeasurementColumns =
    "m.task_id, m.run_id, m.config, m.status, m.error, m.value, m.spread, m.repeats, "
    "m.compile_ms, m.timestamp, m.metrics";
constexpr int kMeasurementColumnCount = 11;

MeasurementRecord ReadMeasurement(const Statement& row, int first) {
  MeasurementRecord record;
  record.task_id = row.Int(first);
  record.run_id = row.Int(first + 1);
  record.config = row.Text(first + 2);
  record.result.status = StatusFromSql(row.Text(first + 3));
  record.result.error = row.Text(first + 4);
  record.result.value = row.Real(first + 5);
  record.result.spread = row.Real(first + 6);
  record.result.repeats = RepeatsFromJson(row.Text(first + 7));
  record.result.compile_ms = row.Real(first + 8);
  record.timestamp = row.Text(first + 9);
  record.result.metrics = MetricsFromSql(row.Text(first + 10));
  return record;
}

// Binds the task key's five fields to parameters 1-5, in the tasks table's column order.
void BindTaskKey(Statement& statement, const ProblemKey& key) {
  statement.BindText(1, key.problem)
      .BindText(2, key.instance)
      .BindText(3, key.target)
      .BindText(4, key.evaluator)
      .BindInt(5, key.evaluator_version);
}

std::optional<int64_t> FindTaskIn(sqlite3* db, const ProblemKey& key) {
  Statement find(db,
                 "SELECT id FROM tasks WHERE problem = ? AND instance = ? AND target = ? AND "
                 "evaluator = ? AND evaluator_version = ?");
  BindTaskKey(find, key);
  if (find.Step()) return find.Int(0);
  return std::nullopt;
}

// Insert-or-ignore then look up, so two processes adding the same task agree on its id.
int64_t EnsureTaskIn(sqlite3* db, const ProblemKey& key, const ObjectiveInfo& objective) {
  Statement insert(db,
                   "INSERT OR IGNORE INTO tasks (problem, instance, target, evaluator, "
                   "evaluator_version, objective, unit, minimise) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  BindTaskKey(insert, key);
  insert.BindText(6, objective.name).BindText(7, objective.unit).BindInt(8, objective.minimise);
  insert.Run();
  const std::optional<int64_t> id = FindTaskIn(db, key);
  TESSEL_CHECK(id.has_value()) << "task vanished after insert: " << key.instance;
  return *id;
}

// The task columns every reader of keys selects, in the order ReadTaskKey expects.
constexpr std::string_view kTaskColumns =
    "t.problem, t.instance, t.target, t.evaluator, t.evaluator_version";

ProblemKey ReadTaskKey(const Statement& row, int first) {
  return {row.Text(first), row.Text(first + 1), row.Text(first + 2), row.Text(first + 3),
          static_cast<int>(row.Int(first + 4))};
}

struct RunRow {
  std::string uuid;
  RunInfo info;
  std::string started_at;
};

int64_t EnsureRunIn(sqlite3* db, const RunRow& run) {
  Statement insert(db,
                   "INSERT OR IGNORE INTO runs (uuid, tuner, seed, command, started_at, host) "
                   "VALUES (?, ?, ?, ?, ?, ?)");
  insert.BindText(1, run.uuid)
      .BindText(2, run.info.tuner)
      .BindInt(3, SeedToSql(run.info.seed))
      .BindText(4, run.info.command)
      .BindText(5, run.started_at)
      .BindText(6, run.info.host);
  insert.Run();
  Statement find(db, "SELECT id FROM runs WHERE uuid = ?");
  find.BindText(1, run.uuid);
  TESSEL_CHECK(find.Step()) << "run vanished after insert: " << run.uuid;
  return find.Int(0);
}

// BindMeasurement binds a record to the 12 parameters of kInsertMeasurement.
constexpr std::string_view kInsertMeasurement =
    "INTO measurements (task_id, run_id, seq, config, status, error, value, spread, "
    "repeats, compile_ms, timestamp, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// `now` stands for an empty `timestamp`: one clock reading per batch.
void BindMeasurement(Statement& insert, const std::string& config, const Evaluation& result,
                     const std::string& timestamp, int64_t task_id, int64_t run_id, int64_t seq,
                     const std::string& now) {
  TESSEL_CHECK(result.status != EvalStatus::kCancelled)
      << "a cancelled evaluation was never evaluated and is not recorded";
  insert.BindInt(1, task_id)
      .BindInt(2, run_id)
      .BindInt(3, seq)
      .BindLastingText(4, config)
      .BindText(5, EvalStatusName(result.status))
      .BindLastingText(6, result.error)
      // A failed evaluation has no value, whatever the result carried; an infeasible one
      // keeps the value it would have had.
      .BindReal(
          7, result.ok() || result.status == EvalStatus::kInfeasible ? result.value : std::nan(""))
      .BindReal(8, result.spread)
      .BindText(9, RepeatsToJson(result.repeats))
      .BindReal(10, result.compile_ms)
      .BindLastingText(11, timestamp.empty() ? now : timestamp)
      .BindText(12, MetricsText(result.metrics));
}

nlohmann::ordered_json NumberOrNull(double value) {
  if (std::isfinite(value)) return value;
  return nullptr;
}

// A run's stored host description as a JSON object; the store writes only objects, and text
// that is not one (a database edited by hand) exports as an empty description.
nlohmann::ordered_json HostObject(const std::string& text) {
  nlohmann::ordered_json host =
      nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  return host.is_object() ? host : nlohmann::ordered_json::object();
}

// One parsed line of an export.
struct ImportRow {
  ProblemKey task;
  ObjectiveInfo objective;
  RunRow run;
  int64_t seq = 0;
  MeasurementRecord record;
};

ImportRow ParseImportLine(const std::string& line) {
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) throw ConfigError("not valid JSON");
  if (!object.is_object()) throw ConfigError("not a JSON object");
  auto field = [&](const char* name) -> const nlohmann::json& {
    const auto it = object.find(name);
    if (it == object.end()) throw ConfigError(std::string("missing field '") + name + "'");
    return *it;
  };
  auto wrong = [](const char* name, const char* expected) {
    return ConfigError(std::string("field '") + name + "' is not " + expected);
  };
  auto text = [&](const char* name) {
    const nlohmann::json& value = field(name);
    if (!value.is_string()) throw wrong(name, "a string");
    return value.get<std::string>();
  };
  auto integer = [&](const char* name) {
    const nlohmann::json& value = field(name);
    if (!value.is_number_integer()) throw wrong(name, "an integer");
    return value;
  };
  auto real = [&](const char* name) {
    double out;
    if (!ReadDouble(field(name), &out)) throw wrong(name, "a number or null");
    return out;
  };

  // Exports of schema 2 named the fields after the one problem Tessel then had: the
  // workload, the template and the time.
  const bool legacy = !object.contains("instance") && object.contains("workload");
  const char* instance = legacy ? "workload" : "instance";
  const char* evaluator = legacy ? "template" : "evaluator";
  const char* evaluator_version = legacy ? "template_version" : "evaluator_version";
  const char* value = legacy ? "time_ms" : "value";
  const char* spread = legacy ? "spread_ms" : "spread";
  const char* repeats_name = legacy ? "repeats_ms" : "repeats";

  ImportRow row;
  row.task.instance = text(instance);
  row.task.problem =
      legacy ? (row.task.instance.starts_with("replay:") ? "replay" : "schedule") : text("problem");
  if (row.task.problem.empty()) throw wrong("problem", "a non-empty string");
  row.task.target = text("target");
  row.task.evaluator = text(evaluator);
  const nlohmann::json version = integer(evaluator_version);
  if (version.get<int64_t>() < 1 || version.get<int64_t>() > INT32_MAX) {
    throw wrong(evaluator_version, "a positive int");
  }
  row.task.evaluator_version = version.get<int>();
  row.objective = {"time", "ms", true};
  if (!legacy) {
    row.objective.name = text("objective");
    row.objective.unit = text("unit");
    if (!field("minimise").is_boolean()) throw wrong("minimise", "true or false");
    row.objective.minimise = field("minimise").get<bool>();
  }
  row.run.uuid = text("run_uuid");
  if (row.run.uuid.empty()) throw wrong("run_uuid", "a non-empty string");
  row.run.info.tuner = text("run_tuner");
  if (!field("run_seed").is_number_unsigned()) throw wrong("run_seed", "an unsigned integer");
  row.run.info.seed = field("run_seed").get<uint64_t>();
  row.run.info.command = text("run_command");
  row.run.started_at = text("run_started_at");
  // Exports before schema 4 have no host.
  if (object.contains("run_host")) {
    if (!field("run_host").is_object()) throw wrong("run_host", "an object");
    row.run.info.host = field("run_host").dump();
  }
  const nlohmann::json seq = integer("seq");
  if (!seq.is_number_unsigned() || seq.get<uint64_t>() > INT64_MAX) {
    throw wrong("seq", "a non-negative integer");
  }
  row.seq = seq.get<int64_t>();
  row.record.config = text("config");
  row.record.result.status = EvalStatusFromName(text("status"));
  if (row.record.result.status == EvalStatus::kCancelled)
    throw wrong("status", "the status of an evaluation that ran (cancelled ones are not records)");
  row.record.result.error = text("error");
  row.record.result.value = real(value);
  row.record.result.spread = real(spread);
  const nlohmann::json& repeats = field(repeats_name);
  if (!repeats.is_array()) throw wrong(repeats_name, "an array");
  for (const auto& element : repeats) {
    double number;
    if (!ReadDouble(element, &number)) throw wrong(repeats_name, "an array of numbers");
    row.record.result.repeats.push_back(number);
  }
  if (!legacy && !ReadMetrics(field("metrics"), &row.record.result.metrics))
    throw wrong("metrics", "an object of numbers");
  row.record.result.compile_ms = real("compile_ms");
  row.record.timestamp = text("timestamp");
  return row;
}

}  // namespace

namespace {

// The URI of a file for sqlite3_open_v2 with SQLITE_OPEN_URI: characters that URIs give a
// meaning are percent-encoded, and the empty authority ("file://") keeps a path that starts
// with "//" from being read as a host.
std::string FileUri(const std::string& path, std::string_view parameters) {
  std::string uri = "file://";
  for (char c : std::filesystem::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      char escaped[4];
      snprintf(escaped, sizeof(escaped), "%%%02X", static_cast<unsigned char>(c));
      uri += escaped;
    } else {
      uri += c;
    }
  }
  return uri + "?" + std::string(parameters);
}

// Opens an existing file to read it and nothing else. With no -wal (nor rollback journal) beside
// it, no process has it open and every committed record is in the file itself, so it is opened
// immutable: SQLite then creates no -wal or -shm file, which a reader of a WAL database
// otherwise leaves behind (and cannot create in a directory it may not write). With one, a
// writer is at work or was killed, and its committed records may still be in the -wal: the
// ordinary read-only connection reads them. A `live` reader, which stays open while a writer
// may start, always gets the ordinary connection.
DbHandle OpenForReading(const std::string& path, bool live) {
  namespace fs = std::filesystem;
  std::error_code error;
  const bool journal =
      live || fs::exists(path + "-wal", error) || fs::exists(path + "-journal", error);
  sqlite3* raw = nullptr;
  const int rc =
      journal
          ? sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr)
          : sqlite3_open_v2(FileUri(path, "immutable=1").c_str(), &raw,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    throw DbError(path + ": cannot open the database (" +
                  (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) + "); give another --db path");
  }
  return db;
}

}  // namespace

RecordStore::RecordStore(const std::string& path, Access access)
    : read_only_(access != Access::kReadWrite) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  const bool exists = fs::exists(status);
  if (exists && fs::is_directory(status)) {
    throw DbError(path + " is a directory; give a database file as --db");
  }
  const bool fresh = !exists || fs::file_size(path, error) == 0;
  if (read_only_) {
    if (!exists) throw DbError(path + " does not exist; give the --db of a records database");
    if (fresh) throw DbError(NotTessel(path, "it is empty"));
  }
  if (!fresh) CheckHeader(path);

  DbHandle db;
  if (read_only_) {
    db = OpenForReading(path, access == Access::kReadOnlyLive);
  } else {
    // Never CREATE over an existing file: SQLite would happily treat some files as empty.
    // NOMUTEX: a RecordStore is used by one thread at a time, so SQLite's per-call locking of
    // the connection is pure cost (a few percent of an analytical problem's tuning loop).
    const int flags = SQLITE_OPEN_NOMUTEX |
                      (exists ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    db.reset(raw);
    if (rc != SQLITE_OK) {
      throw DbError(path + ": cannot " + (exists ? "open" : "create") + " the database (" +
                    (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) + "); give another --db path");
    }
    // SQLite quietly falls back to read-only; a store that cannot append is of no use.
    if (sqlite3_db_readonly(db.get(), "main") == 1) {
      throw DbError(path + " is read-only; give another --db path");
    }
  }
  // Set before validation (it writes nothing) so a concurrent writer's lock makes us wait
  // rather than read as a broken file. A minute: writers hold the lock for one batch, but an
  // import of a large file holds it for seconds, and several tuners may queue behind it.
  sqlite3_busy_timeout(db.get(), sql::kBusyTimeoutMs);

  if (fresh) {
    try {
      CreateSchema(db.get());
    } catch (const Error& e) {
      throw DbError(path + ": cannot create the database (" + e.what() +
                    "); give another --db path");
    }
  }
  const int version = Validate(db.get(), path);
  if (read_only_) {
    // Schema 3 lacks only the runs' hosts, which read as unknown; older ones had other tables.
    if (version < 3) {
      throw DbError(path + " has the schema of an older Tessel (version " +
                    std::to_string(version) + "); run 'tessel best --db " + path +
                    "' once, which upgrades it in place, then run this again");
    }
    if (version < 4) host_column_ = "'{}'";
    if (version < 5) has_tuner_log_ = false;
    if (version < 6) has_network_runs_ = false;
    Exec(db.get(), "PRAGMA cache_size = -32768");
    db_ = db.release();
    return;
  }
  if (version < kSchemaVersion) {
    try {
      UpgradeSchema(db.get(), version);
    } catch (const Error& e) {
      throw DbError(path + ": cannot upgrade the database to schema " +
                    std::to_string(kSchemaVersion) + " (" + e.what() + "); is it read-only?");
    }
  }

  // WAL: readers never block the writer, and a killed writer loses only its open transaction.
  // NORMAL is durable against process crashes in WAL mode, which is what tuning runs meet.
  Exec(db.get(), "PRAGMA journal_mode = WAL");
  Exec(db.get(), "PRAGMA synchronous = NORMAL");
  // 32 MiB of page cache (the default is 2 MiB): the two indexes on measurements stay in
  // memory while a fast analytical problem appends hundreds of thousands of rows.
  Exec(db.get(), "PRAGMA cache_size = -32768");
  Exec(db.get(), "PRAGMA foreign_keys = ON");
  db_ = db.release();
}

RecordStore::~RecordStore() {
  append_.reset();  // its statements are finalized before the connection closes
  sqlite3_close_v2(db_);
}

RecordStore::ReadSnapshot::ReadSnapshot(const RecordStore& store) : db_(store.db_) {
  // A deferred BEGIN takes its snapshot at the first read, and keeps it until the end.
  Exec(db_, "BEGIN");
}

RecordStore::ReadSnapshot::~ReadSnapshot() {
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
}

void RecordStore::CheckWritable() const {
  TESSEL_CHECK(!read_only_) << "a RecordStore opened read-only was asked to record";
}

int64_t RecordStore::EnsureTask(const ProblemKey& key, const ObjectiveInfo& objective) {
  CheckWritable();
  return EnsureTaskIn(db_, key, objective);
}

std::optional<int64_t> RecordStore::FindTask(const ProblemKey& key) const {
  return FindTaskIn(db_, key);
}

int64_t RecordStore::BeginRun(const RunInfo& run) {
  CheckWritable();
  Statement insert(db_,
                   "INSERT INTO runs (uuid, tuner, seed, command, started_at, host) "
                   "VALUES (?, ?, ?, ?, ?, ?)");
  insert.BindText(1, NewUuid())
      .BindText(2, run.tuner)
      .BindInt(3, SeedToSql(run.seed))
      .BindText(4, run.command)
      .BindText(5, sql::NowTimestamp())
      .BindText(6, run.host);
  insert.Run();
  return sqlite3_last_insert_rowid(db_);
}

struct RecordStore::AppendStatements {
  explicit AppendStatements(sqlite3* db)
      : last_seq(db, "SELECT COALESCE(MAX(seq) + 1, 0) FROM measurements WHERE run_id = ?"),
        insert(db, "INSERT " + std::string(kInsertMeasurement)) {}

  // The next seq of the run.
  int64_t NextSeq(int64_t run_id) {
    last_seq.BindInt(1, run_id);
    last_seq.Step();
    const int64_t seq = last_seq.Int(0);
    last_seq.Reset();
    return seq;
  }

  Statement last_seq;
  Statement insert;
};

void RecordStore::Append(const std::vector<MeasurementRecord>& batch) {
  CheckWritable();
  if (batch.empty()) return;
  if (!append_) append_ = std::make_unique<AppendStatements>(db_);
  Transaction transaction(db_);
  std::map<int64_t, int64_t> next_seq;  // by run id
  const std::string now = sql::NowTimestamp();
  for (const MeasurementRecord& record : batch) {
    auto [it, added] = next_seq.try_emplace(record.run_id, 0);
    if (added) it->second = append_->NextSeq(record.run_id);
    BindMeasurement(append_->insert, record.config, record.result, record.timestamp, record.task_id,
                    record.run_id, it->second++, now);
    append_->insert.Run();
    append_->insert.Reset();
  }
  transaction.Commit();
}

void RecordStore::Append(int64_t task_id, int64_t run_id, const std::vector<std::string>& configs,
                         const std::vector<Evaluation>& evaluations) {
  CheckWritable();
  TESSEL_CHECK(configs.size() == evaluations.size()) << "one evaluation per configuration";
  if (configs.empty()) return;
  if (!append_) append_ = std::make_unique<AppendStatements>(db_);
  Transaction transaction(db_);
  int64_t seq = append_->NextSeq(run_id);
  const std::string now = sql::NowTimestamp();
  for (size_t i = 0; i < configs.size(); ++i) {
    BindMeasurement(append_->insert, configs[i], evaluations[i], "", task_id, run_id, seq++, now);
    append_->insert.Run();
    append_->insert.Reset();
  }
  transaction.Commit();
}

std::vector<std::pair<int64_t, ProblemKey>> RecordStore::Tasks() const {
  Statement rows(db_, "SELECT t.id, " + std::string(kTaskColumns) + " FROM tasks t ORDER BY t.id");
  std::vector<std::pair<int64_t, ProblemKey>> tasks;
  while (rows.Step()) tasks.push_back({rows.Int(0), ReadTaskKey(rows, 1)});
  return tasks;
}

ObjectiveInfo RecordStore::Objective(int64_t task_id) const {
  Statement row(db_, "SELECT objective, unit, minimise FROM tasks WHERE id = ?");
  row.BindInt(1, task_id);
  TESSEL_CHECK(row.Step()) << "no task " << task_id;
  return {row.Text(0), row.Text(1), row.Int(2) != 0};
}

std::vector<StoredRun> RecordStore::Runs() const {
  Statement rows(db_, "SELECT r.id, r.uuid, r.tuner, r.seed, r.command, r.started_at, " +
                          host_column_ + " FROM runs r ORDER BY r.id");
  std::vector<StoredRun> runs;
  while (rows.Step()) {
    runs.push_back({rows.Int(0),
                    rows.Text(1),
                    {rows.Text(2), SeedFromSql(rows.Int(3)), rows.Text(4), rows.Text(6)},
                    rows.Text(5)});
  }
  return runs;
}

std::vector<MeasurementRecord> RecordStore::History(int64_t task_id) const {
  Statement rows(db_, "SELECT " + std::string(kMeasurementColumns) +
                          " FROM measurements m WHERE m.task_id = ? ORDER BY m.id");
  rows.BindInt(1, task_id);
  std::vector<MeasurementRecord> history;
  while (rows.Step()) history.push_back(ReadMeasurement(rows, 0));
  return history;
}

void RecordStore::RecordRunTimes(const RunTimes& times) {
  CheckWritable();
  Statement insert(db_,
                   "INSERT OR REPLACE INTO run_times (run_id, task_id, measurements, compile_s, "
                   "run_s, fit_s, search_s, wall_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert.BindInt(1, times.run_id)
      .BindInt(2, times.task_id)
      .BindInt(3, times.measurements)
      .BindReal(4, times.compile_s)
      .BindReal(5, times.run_s)
      .BindReal(6, times.fit_s)
      .BindReal(7, times.search_s)
      .BindReal(8, times.wall_s);
  insert.Run();
}

std::vector<RunTimes> RecordStore::AllRunTimes() const {
  Statement rows(db_,
                 "SELECT run_id, task_id, measurements, compile_s, run_s, fit_s, search_s, "
                 "wall_s FROM run_times ORDER BY run_id, task_id");
  std::vector<RunTimes> all;
  while (rows.Step()) {
    all.push_back({rows.Int(0), rows.Int(1), rows.Int(2), rows.Real(3), rows.Real(4), rows.Real(5),
                   rows.Real(6), rows.Real(7)});
  }
  return all;
}

void RecordStore::AppendTunerLog(const std::vector<TunerLogEntry>& batch) {
  CheckWritable();
  if (batch.empty()) return;
  Transaction transaction(db_);
  Statement insert(db_,
                   "INSERT INTO tuner_log (run_id, task_id, step, name, value) "
                   "VALUES (?, ?, ?, ?, ?)");
  for (const TunerLogEntry& entry : batch) {
    insert.BindInt(1, entry.run_id)
        .BindInt(2, entry.task_id)
        .BindInt(3, entry.step)
        .BindText(4, entry.name)
        .BindReal(5, entry.value);
    insert.Run();
    insert.Reset();
  }
  transaction.Commit();
}

std::vector<TunerLogEntry> RecordStore::TunerLog(int64_t task_id) const {
  std::vector<TunerLogEntry> log;
  if (!has_tuner_log_) return log;
  Statement rows(db_,
                 "SELECT run_id, task_id, step, name, value FROM tuner_log WHERE task_id = ? "
                 "ORDER BY run_id, name, step, id");
  rows.BindInt(1, task_id);
  while (rows.Step())
    log.push_back({rows.Int(0), rows.Int(1), rows.Int(2), rows.Text(3), rows.Real(4)});
  return log;
}

std::vector<LoggedAgainstMeasured> RecordStore::TunerLogAgainstMeasured(
    int64_t run_id, int64_t task_id, const std::string& name) const {
  std::vector<LoggedAgainstMeasured> pairs;
  if (!has_tuner_log_) return pairs;
  Statement rows(db_,
                 "SELECT l.step, l.value, CASE WHEN m.status = 'ok' THEN m.value END "
                 "FROM tuner_log l JOIN measurements m ON m.run_id = l.run_id AND m.seq = l.step "
                 "AND m.task_id = l.task_id "
                 "WHERE l.run_id = ? AND l.task_id = ? AND l.name = ? ORDER BY l.step, l.id");
  rows.BindInt(1, run_id).BindInt(2, task_id).BindText(3, name);
  while (rows.Step()) pairs.push_back({rows.Int(0), rows.Real(1), rows.Real(2)});
  return pairs;
}

std::vector<BestRecord> RecordStore::BestPerTask() const {
  Statement rows(db_, "SELECT " + std::string(kMeasurementColumns) + ", " +
                          std::string(kTaskColumns) +
                          ", r.tuner, r.seed, (SELECT COUNT(*) FROM measurements c WHERE "
                          "c.task_id = t.id), t.objective, t.unit, t.minimise, " +
                          host_column_ +
                          " FROM tasks t "
                          "JOIN measurements m ON m.id = (SELECT b.id FROM measurements b "
                          "  WHERE b.task_id = t.id AND b.status = 'ok' AND b.value IS NOT NULL "
                          "  ORDER BY b.value * (SELECT CASE WHEN o.minimise THEN 1 ELSE -1 END "
                          "    FROM tasks o WHERE o.id = b.task_id), b.id LIMIT 1) "
                          "JOIN runs r ON r.id = m.run_id "
                          "ORDER BY t.id");
  std::vector<BestRecord> best;
  while (rows.Step()) {
    BestRecord entry;
    entry.record = ReadMeasurement(rows, 0);
    entry.task_id = entry.record.task_id;
    const int c = kMeasurementColumnCount;
    entry.task = ReadTaskKey(rows, c);
    entry.tuner = rows.Text(c + 5);
    entry.seed = SeedFromSql(rows.Int(c + 6));
    entry.measurements = rows.Int(c + 7);
    entry.objective = {rows.Text(c + 8), rows.Text(c + 9), rows.Int(c + 10) != 0};
    entry.host = rows.Text(c + 11);
    best.push_back(std::move(entry));
  }
  return best;
}

void RecordStore::ExportJsonl(std::ostream& out) const {
  Statement rows(db_, "SELECT " + std::string(kMeasurementColumns) + ", " +
                          std::string(kTaskColumns) +
                          ", t.objective, t.unit, t.minimise, r.uuid, r.tuner, r.seed, r.command, "
                          "r.started_at, m.seq, " +
                          host_column_ +
                          " FROM measurements m JOIN tasks t ON t.id = m.task_id "
                          "JOIN runs r ON r.id = m.run_id ORDER BY m.id");
  // Each run's host, parsed once: a run has thousands of measurements.
  std::map<int64_t, nlohmann::ordered_json> hosts;  // by run id
  while (rows.Step()) {
    const MeasurementRecord record = ReadMeasurement(rows, 0);
    const Evaluation& result = record.result;
    const int c = kMeasurementColumnCount;
    // ordered_json keeps the fields in this reading order instead of sorting them.
    nlohmann::ordered_json line;
    const ProblemKey key = ReadTaskKey(rows, c);
    line["problem"] = key.problem;
    line["instance"] = key.instance;
    line["target"] = key.target;
    line["evaluator"] = key.evaluator;
    line["evaluator_version"] = key.evaluator_version;
    line["objective"] = rows.Text(c + 5);
    line["unit"] = rows.Text(c + 6);
    line["minimise"] = rows.Int(c + 7) != 0;
    line["run_uuid"] = rows.Text(c + 8);
    line["run_tuner"] = rows.Text(c + 9);
    line["run_seed"] = SeedFromSql(rows.Int(c + 10));
    line["run_command"] = rows.Text(c + 11);
    line["run_started_at"] = rows.Text(c + 12);
    auto host = hosts.find(record.run_id);
    if (host == hosts.end())
      host = hosts.emplace(record.run_id, HostObject(rows.Text(c + 14))).first;
    line["run_host"] = host->second;
    line["seq"] = rows.Int(c + 13);
    line["config"] = record.config;
    line["status"] = std::string(EvalStatusName(result.status));
    line["error"] = result.error;
    line["value"] = NumberOrNull(result.value);
    line["metrics"] = MetricsToJson<nlohmann::ordered_json>(result.metrics);
    line["spread"] = NumberOrNull(result.spread);
    line["repeats"] = nlohmann::ordered_json::array();
    for (double repeat : result.repeats) line["repeats"].push_back(NumberOrNull(repeat));
    line["compile_ms"] = NumberOrNull(result.compile_ms);
    line["timestamp"] = record.timestamp;
    // Compiler messages may carry invalid UTF-8; replacing it beats refusing the export.
    out << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  }
  if (!out) throw IoError("writing the JSONL export failed");
}

int64_t RecordStore::ImportJsonl(std::istream& in) {
  CheckWritable();
  // Everything is parsed before anything is written, so a bad line adds nothing.
  std::vector<ImportRow> rows;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    try {
      rows.push_back(ParseImportLine(line));
    } catch (const Error& e) {
      throw ConfigError("line " + std::to_string(number) + ": " + e.what());
    }
  }
  if (in.bad()) throw IoError("reading the JSONL import failed");

  Transaction transaction(db_);
  Statement insert(db_, "INSERT OR IGNORE " + std::string(kInsertMeasurement));
  const std::string now = sql::NowTimestamp();  // for rows without a timestamp (never from export)
  std::map<std::tuple<std::string, std::string, std::string, std::string, int>, int64_t> task_ids;
  std::map<std::string, int64_t> run_ids;  // by uuid
  int64_t added = 0;
  for (const ImportRow& row : rows) {
    const auto task_key = std::make_tuple(row.task.problem, row.task.instance, row.task.target,
                                          row.task.evaluator, row.task.evaluator_version);
    auto task = task_ids.find(task_key);
    if (task == task_ids.end()) {
      task = task_ids.emplace(task_key, EnsureTaskIn(db_, row.task, row.objective)).first;
    }
    auto run = run_ids.find(row.run.uuid);
    if (run == run_ids.end()) run = run_ids.emplace(row.run.uuid, EnsureRunIn(db_, row.run)).first;
    BindMeasurement(insert, row.record.config, row.record.result, row.record.timestamp,
                    task->second, run->second, row.seq, now);
    insert.Run();
    added += sqlite3_changes(db_);
    insert.Reset();
  }
  transaction.Commit();
  return added;
}

}  // namespace tessel
