// RecordStore's network runs: what `tessel run` timed, layer by layer, for the report's view
// of where a network's time goes.
#include "records/network_runs.h"

#include <map>

#include "records/record_store.h"
#include "records/sqlite_statement.h"

namespace tessel {

using sql::Exec;
using sql::Statement;
using sql::Transaction;

void CreateNetworkRunTables(sqlite3* db) {
  Exec(db,
       "CREATE TABLE IF NOT EXISTS network_runs ("
       "id INTEGER PRIMARY KEY, network TEXT NOT NULL, command TEXT NOT NULL, "
       "started_at TEXT NOT NULL, host TEXT NOT NULL, threads INTEGER NOT NULL, "
       "repeats INTEGER NOT NULL, median_ms REAL NOT NULL, min_ms REAL NOT NULL, "
       "max_ms REAL NOT NULL, relative_error REAL)");
  // task_id has no foreign key: a layer's task is a link for the report, not a dependency.
  Exec(db,
       "CREATE TABLE IF NOT EXISTS network_layers ("
       "network_run_id INTEGER NOT NULL REFERENCES network_runs (id), idx INTEGER NOT NULL, "
       "name TEXT NOT NULL, op TEXT NOT NULL, task TEXT NOT NULL, workload TEXT NOT NULL, "
       "task_id INTEGER, tuned INTEGER NOT NULL, config TEXT NOT NULL, median_ms REAL NOT NULL, "
       "PRIMARY KEY (network_run_id, idx))");
}

int64_t RecordStore::RecordNetworkRun(const NetworkRunRecord& run) {
  CheckWritable();
  Transaction transaction(db_);
  Statement insert_run(db_,
                       "INSERT INTO network_runs (network, command, started_at, host, threads, "
                       "repeats, median_ms, min_ms, max_ms, relative_error) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_run.BindText(1, run.network)
      .BindText(2, run.command)
      .BindText(3, sql::NowTimestamp())
      .BindText(4, run.host)
      .BindInt(5, run.threads)
      .BindInt(6, run.repeats)
      .BindReal(7, run.median_ms)
      .BindReal(8, run.min_ms)
      .BindReal(9, run.max_ms)
      .BindReal(10, run.relative_error);
  insert_run.Run();
  const int64_t id = sqlite3_last_insert_rowid(db_);
  Statement insert_layer(db_,
                         "INSERT INTO network_layers (network_run_id, idx, name, op, task, "
                         "workload, task_id, tuned, config, median_ms) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (size_t i = 0; i < run.layers.size(); ++i) {
    const NetworkLayerRecord& layer = run.layers[i];
    insert_layer.BindInt(1, id)
        .BindInt(2, static_cast<int64_t>(i))
        .BindText(3, layer.name)
        .BindText(4, layer.op)
        .BindText(5, layer.task)
        .BindText(6, layer.workload)
        .BindInt(8, layer.tuned)
        .BindText(9, layer.config)
        .BindReal(10, layer.median_ms);
    if (layer.task_id) insert_layer.BindInt(7, *layer.task_id);
    insert_layer.Run();
    insert_layer.Reset();
  }
  transaction.Commit();
  return id;
}

std::vector<NetworkRunRecord> RecordStore::NetworkRuns() const {
  std::vector<NetworkRunRecord> runs;
  if (!has_network_runs_) return runs;
  Statement run_rows(db_,
                     "SELECT id, network, command, started_at, host, threads, repeats, "
                     "median_ms, min_ms, max_ms, relative_error FROM network_runs ORDER BY id");
  std::map<int64_t, size_t> index;  // id -> position in runs
  while (run_rows.Step()) {
    NetworkRunRecord run;
    run.id = run_rows.Int(0);
    run.network = run_rows.Text(1);
    run.command = run_rows.Text(2);
    run.started_at = run_rows.Text(3);
    run.host = run_rows.Text(4);
    run.threads = static_cast<int>(run_rows.Int(5));
    run.repeats = static_cast<int>(run_rows.Int(6));
    run.median_ms = run_rows.Real(7);
    run.min_ms = run_rows.Real(8);
    run.max_ms = run_rows.Real(9);
    run.relative_error = run_rows.Real(10);
    index[run.id] = runs.size();
    runs.push_back(std::move(run));
  }
  Statement layer_rows(db_,
                       "SELECT network_run_id, name, op, task, workload, task_id, tuned, config, "
                       "median_ms FROM network_layers ORDER BY network_run_id, idx");
  while (layer_rows.Step()) {
    const auto run = index.find(layer_rows.Int(0));
    if (run == index.end()) continue;  // a layer whose run was deleted by hand
    NetworkLayerRecord layer;
    layer.name = layer_rows.Text(1);
    layer.op = layer_rows.Text(2);
    layer.task = layer_rows.Text(3);
    layer.workload = layer_rows.Text(4);
    if (!layer_rows.IsNull(5)) layer.task_id = layer_rows.Int(5);
    layer.tuned = layer_rows.Int(6) != 0;
    layer.config = layer_rows.Text(7);
    layer.median_ms = layer_rows.Real(8);
    runs[run->second].layers.push_back(std::move(layer));
  }
  return runs;
}

}  // namespace tessel
