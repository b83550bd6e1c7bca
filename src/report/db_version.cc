#include "report/db_version.h"

#include <sqlite3.h>

#include <cstdio>

#include "core/error.h"

namespace tessel {
namespace {

// Runs a query of one row and hands its statement to `read`; throws DbError on failure.
template <typename Read>
void QueryRow(sqlite3* db, const std::string& path, const char* sql, Read read) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) read(statement);
  sqlite3_finalize(statement);
  if (rc != SQLITE_ROW)
    throw DbError(path + ": cannot read the database's version (" + sqlite3_errmsg(db) + ")");
}

}  // namespace

std::string DbVersion::Token() const {
  char text[200];
  std::snprintf(text, sizeof(text), "m%lld.%lld-r%lld-t%lld-x%lld.%.17g-l%lld-n%lld",
                static_cast<long long>(measurements), static_cast<long long>(last_measurement),
                static_cast<long long>(runs), static_cast<long long>(tasks),
                static_cast<long long>(run_times), run_times_wall_s,
                static_cast<long long>(last_tuner_log), static_cast<long long>(last_network_run));
  return text;
}

DbVersionProbe::DbVersionProbe(const std::string& path) : path_(path) {
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw DbError(path + ": cannot open the database (" + why + ")");
  }
  // A writer checkpointing or a reader recovering the -shm holds a lock for moments.
  sqlite3_busy_timeout(db_, 5000);
}

DbVersionProbe::~DbVersionProbe() { sqlite3_close_v2(db_); }

int64_t DbVersionProbe::LastId(const char* table) {
  bool exists = false;
  QueryRow(db_, path_,
           ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
            std::string(table) + "'")
               .c_str(),
           [&](sqlite3_stmt* row) { exists = sqlite3_column_int64(row, 0) > 0; });
  int64_t id = 0;
  if (exists)
    QueryRow(db_, path_, ("SELECT coalesce(max(id), 0) FROM " + std::string(table)).c_str(),
             [&](sqlite3_stmt* row) { id = sqlite3_column_int64(row, 0); });
  return id;
}

DbVersion DbVersionProbe::Read() {
  int64_t data_version = 0;
  QueryRow(db_, path_, "PRAGMA data_version",
           [&](sqlite3_stmt* row) { data_version = sqlite3_column_int64(row, 0); });
  if (data_version == data_version_) return cached_;
  // One statement, so one snapshot: the counts agree with each other.
  QueryRow(db_, path_,
           "SELECT (SELECT count(*) FROM measurements), "
           "(SELECT coalesce(max(id), 0) FROM measurements), (SELECT count(*) FROM runs), "
           "(SELECT count(*) FROM tasks), (SELECT count(*) FROM run_times), "
           "(SELECT total(wall_s) FROM run_times)",
           [&](sqlite3_stmt* row) {
             cached_.measurements = sqlite3_column_int64(row, 0);
             cached_.last_measurement = sqlite3_column_int64(row, 1);
             cached_.runs = sqlite3_column_int64(row, 2);
             cached_.tasks = sqlite3_column_int64(row, 3);
             cached_.run_times = sqlite3_column_int64(row, 4);
             cached_.run_times_wall_s = sqlite3_column_double(row, 5);
           });
  // A tuner's log of its last batch is committed after the batch's measurements, and a network
  // run on its own. The tables exist from schemas 5 and 6 on (a served database may be upgraded
  // while it is watched).
  cached_.last_tuner_log = LastId("tuner_log");
  cached_.last_network_run = LastId("network_runs");
  data_version_ = data_version;
  return cached_;
}

}  // namespace tessel
