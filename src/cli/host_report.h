// Where the records in use were measured, next to the host that uses them: what `tessel best`
// and `tessel run` print, since records are filed under the CPU's name and a machine of the
// same name may be slower or faster (other caches, clocks or neighbours).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/host.h"

namespace tessel::cli {

// The runs of one machine: descriptions equal but for their measured peaks.
struct HostGroup {
  HostDescription machine;                   // without a peak
  int records = 0;                           // records of the group in use
  std::map<int, std::vector<double>> peaks;  // the runs' FMA peaks (GFLOP/s) by thread count
};

// Groups the hosts (HostToJson texts, one per record) by machine, in order of first appearance.
std::vector<HostGroup> GroupByMachine(const std::vector<std::string>& hosts);

// This host, with its FMA peak measured at every thread count the groups' peaks were (at
// `default_threads` when none was).
struct ThisHost {
  HostDescription machine;
  std::map<int, double> peaks;  // GFLOP/s by thread count
};
ThisHost DescribeThisHost(const std::vector<HostGroup>& groups, int default_threads);

// Prints "measured on: <machine>, FMA peak ...: <records> <noun>" per group (the noun a plural,
// made singular for one record), then this host with its peak relative to each group's.
void PrintHosts(const std::vector<HostGroup>& groups, const ThisHost& here, const char* noun);

// The same as JSON: {"record_hosts": [...], "host": {...}}.
nlohmann::json HostsJson(const std::vector<HostGroup>& groups, const ThisHost& here);

}  // namespace tessel::cli
