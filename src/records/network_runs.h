// The tables of network runs (schema 6), internal to src/records/: RecordStore creates them with
// a new database or an upgrade, and network_runs.cc reads and writes them.
#pragma once

#include <sqlite3.h>

namespace tessel {

// network_runs: one row per `tessel run`; network_layers: its layers, by their index.
void CreateNetworkRunTables(sqlite3* db);

}  // namespace tessel
