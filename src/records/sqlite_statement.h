// The SQLite plumbing the records' modules share: a statement that owns its sqlite3_stmt and
// reports every error as tessel::DbError, a write transaction, and the store's timestamps.
// Internal to src/records/.
#pragma once

#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace tessel::sql {

// The one owner of sqlite3_stmt: prepares on construction, finalizes on destruction, and turns
// every SQLite error into tessel::DbError carrying sqlite3_errmsg, so no caller ever looks at a
// result code.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      Fail();
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& BindInt(int index, int64_t value) {
    return Check(sqlite3_bind_int64(stmt_, index, value));
  }
  // NaN becomes NULL: SQL has no NaN, and NULL is how the schema says "no time".
  Statement& BindReal(int index, double value) {
    if (std::isnan(value)) return BindNull(index);
    return Check(sqlite3_bind_double(stmt_, index, value));
  }
  Statement& BindText(int index, std::string_view value) {
    return Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                     SQLITE_UTF8));
  }
  // For text that outlives the statement's next Run or Step (no copy is made).
  Statement& BindLastingText(int index, std::string_view value) {
    return Check(
        sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  Statement& BindNull(int index) { return Check(sqlite3_bind_null(stmt_, index)); }

  // True while there is a row to read.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail();
  }
  // Steps to the end, for statements whose rows (if any, as with some pragmas) do not matter.
  void Run() {
    while (Step()) {
    }
  }
  // Ready to run again with new parameters.
  void Reset() {
    sqlite3_reset(stmt_);  // repeats the last step's error, which Step already reported
    sqlite3_clear_bindings(stmt_);
  }

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  // NULL reads as NaN, the inverse of BindReal.
  double Real(int column) const {
    return IsNull(column) ? std::nan("") : sqlite3_column_double(stmt_, column);
  }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text ? std::string(text, sqlite3_column_bytes(stmt_, column)) : std::string();
  }

 private:
  Statement& Check(int rc) {
    if (rc != SQLITE_OK) Fail();
    return *this;
  }
  [[noreturn]] void Fail() const {
    const char* file = sqlite3_db_filename(db_, "main");
    throw DbError(std::string(file && *file ? file : "database") + ": " + sqlite3_errmsg(db_) +
                  WriteFailureHint(sqlite3_errcode(db_)));
  }
  // What to do about a write the system refused, which SQLite's message does not say. The
  // transaction was rolled back, so what was committed before is intact.
  static std::string WriteFailureHint(int code) {
    switch (code) {
      case SQLITE_FULL:
        return "; free space on its disk and run again (what was recorded before is intact)";
      case SQLITE_IOERR:
        return " (the disk may be full, the file over a size limit, or the device failing; what "
               "was recorded before is intact)";
      case SQLITE_READONLY:
        return "; the file became read-only (what was recorded before is intact)";
      default:
        return "";
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

inline void Exec(sqlite3* db, std::string_view sql) { Statement(db, sql).Run(); }

inline constexpr int kBusyTimeoutMs = 60'000;

// BEGIN IMMEDIATE takes the write lock up front, so a concurrent writer waits on busy_timeout
// instead of failing halfway through; anything that leaves the scope without Commit() is
// rolled back.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { Exec(db_, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit() {
    Exec(db_, "COMMIT");
    committed_ = true;
  }

 private:
  sqlite3* db_;
  bool committed_ = false;
};

// The current UTC time as the records write it: "2026-01-02T03:04:05.678Z".
std::string NowTimestamp();

}  // namespace tessel::sql
