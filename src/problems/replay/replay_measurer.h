// The replay backend: tuning over a table of already measured configurations instead of real
// hardware, so tuners can be compared reproducibly and fast.
//
// The table is a CSV file with a header line. The column `time_ms` holds each row's time; every
// other column is a knob. A knob's values are the distinct values of its column: integer
// columns become int64_t values sorted numerically, other columns text values (sorted
// numerically when every value is a decimal number, lexicographically otherwise). The space's
// constraint admits exactly the configurations that are rows of the table. An empty, nan or inf
// time marks a measurement that failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/evaluation.h"
#include "space/space.h"

namespace tessel {

class ReplayTable {
 public:
  // Reads and parses a CSV file. Throws tessel::ConfigError (one line naming the file, the line
  // where it applies, and what to do) when the file is missing or unreadable, empty, lacks a
  // `time_ms` or knob column, has duplicate column names, a row with the wrong number of
  // fields, a bad time, or repeats a configuration.
  static ReplayTable Load(const std::string& path);
  // Parses CSV text; `source_name` names it in error messages and source().
  static ReplayTable Parse(std::string_view csv_text, const std::string& source_name);

  const Space& space() const { return space_; }
  // nullopt for a configuration that is not in the table; otherwise its time, which is NaN or
  // infinite for a failed measurement.
  std::optional<double> TimeMs(const Config& config) const;
  size_t rows() const { return times_->size(); }
  const std::string& source() const { return source_; }

 private:
  using TimeByFlatIndex = std::unordered_map<uint64_t, double>;

  ReplayTable(Space space, std::shared_ptr<const TimeByFlatIndex> times, std::string source)
      : space_(std::move(space)), times_(std::move(times)), source_(std::move(source)) {}

  Space space_;
  // Shared with the space's constraint, so copies and moves of the table keep it valid.
  std::shared_ptr<const TimeByFlatIndex> times_;
  std::string source_;
};

class ReplayMeasurer {
 public:
  explicit ReplayMeasurer(const ReplayTable& table) : table_(table) {}  // table must outlive it

  // Every configuration must be a row of the table (the space's constraint ensures it).
  std::vector<Evaluation> Measure(const std::vector<Config>& configs);

 private:
  const ReplayTable& table_;
};

}  // namespace tessel
