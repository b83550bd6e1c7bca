#include "problems/replay/replay_measurer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "core/error.h"

namespace tessel {
namespace {

constexpr std::string_view kTimeColumn = "time_ms";

// Errors carry "replay table FILE:LINE:" so the user can go straight to the bad spot.
[[noreturn]] void Fail(const std::string& source, size_t line, const std::string& what) {
  throw ConfigError("replay table " + source + ":" + std::to_string(line) + ": " + what);
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) about "'" + std::string(text).
std::string Quoted(std::string_view text) {
  std::string quoted(1, '\'');
  quoted.append(text);
  quoted.push_back('\'');
  return quoted;
}

// Splits one line into trimmed fields. A field may be double-quoted to hold commas, with ""
// standing for one quote; quoted text is kept as written. Quoted fields cannot span lines.
std::vector<std::string> SplitFields(std::string_view line, const std::string& source,
                                     size_t line_number) {
  std::vector<std::string> fields;
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsBlank(line[i])) ++i;
    std::string field;
    if (i < n && line[i] == '"') {
      bool closed = false;
      for (++i; i < n; ++i) {
        if (line[i] != '"') {
          field += line[i];
        } else if (i + 1 < n && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          closed = true;
          ++i;
          break;
        }
      }
      if (!closed)
        Fail(source, line_number,
             "a quoted field is not closed; end it with a double quote (a quoted field must "
             "stay on one line)");
      while (i < n && IsBlank(line[i])) ++i;
      if (i < n && line[i] != ',')
        Fail(source, line_number,
             "text follows a closing quote; quote the whole field and write a quote inside it "
             "as \"\"");
    } else {
      size_t end = line.find(',', i);
      if (end == std::string_view::npos) end = n;
      field = std::string(Trim(line.substr(i, end - i)));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= n) break;
    ++i;  // past the comma
  }
  return fields;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Any number std::from_chars reads completely (case-insensitive nan/inf), with an optional '+'.
std::optional<double> ParseDouble(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view view = lower;
  if (view.size() > 1 && view[0] == '+' && view[1] != '+' && view[1] != '-') view.remove_prefix(1);
  if (view.empty()) return std::nullopt;
  double value;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (error != std::errc() || end != view.data() + view.size()) return std::nullopt;
  return value;
}

// One knob column turned into the knob's ordered values and each row's index into them.
struct Column {
  std::vector<KnobValue> values;
  std::vector<int32_t> row_index;
};

Column BuildColumn(const std::vector<std::string>& cells) {
  Column column;
  column.row_index.resize(cells.size());

  // Integer columns become numbers, so "10" sorts after "9" and templates can read them as ints.
  std::vector<int64_t> ints;
  ints.reserve(cells.size());
  for (const std::string& cell : cells) {
    const std::optional<int64_t> value = ParseInt(cell);
    if (!value) break;
    ints.push_back(*value);
  }
  if (ints.size() == cells.size()) {
    std::vector<int64_t> distinct = ints;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (int64_t value : distinct) column.values.emplace_back(value);
    for (size_t row = 0; row < ints.size(); ++row)
      column.row_index[row] = static_cast<int32_t>(
          std::lower_bound(distinct.begin(), distinct.end(), ints[row]) - distinct.begin());
    return column;
  }

  std::vector<std::string> distinct = cells;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // Decimal columns stay text (their spelling is the value) but are ordered by magnitude, so
  // neighbouring values are numerically close; the spelling breaks ties, keeping it total.
  std::vector<std::pair<double, std::string>> decimals;
  for (const std::string& value : distinct) {
    const std::optional<double> number = ParseDouble(value);
    if (!number || !std::isfinite(*number)) break;
    decimals.emplace_back(*number, value);
  }
  if (decimals.size() == distinct.size()) {
    std::sort(decimals.begin(), decimals.end());
    for (size_t i = 0; i < decimals.size(); ++i) distinct[i] = std::move(decimals[i].second);
  }
  std::unordered_map<std::string, int32_t> index_of;
  index_of.reserve(distinct.size());
  for (size_t i = 0; i < distinct.size(); ++i) {
    index_of.emplace(distinct[i], static_cast<int32_t>(i));
    column.values.emplace_back(std::move(distinct[i]));
  }
  for (size_t row = 0; row < cells.size(); ++row) column.row_index[row] = index_of.at(cells[row]);
  return column;
}

}  // namespace

ReplayTable ReplayTable::Load(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored))
    throw ConfigError("replay table " + path + " is a directory; pass the path of a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError("cannot open replay table " + path + ": " + std::strerror(errno) +
                      "; check the path and its permissions");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw ConfigError("cannot read replay table " + path + ": " + std::strerror(errno) +
                      "; check that it is a readable file");
  return Parse(text.str(), path);
}

ReplayTable ReplayTable::Parse(std::string_view csv_text, const std::string& source_name) {
  // Spreadsheets often prefix a UTF-8 byte order mark; it is not part of the first column name.
  if (csv_text.substr(0, 3) == "\xEF\xBB\xBF") csv_text.remove_prefix(3);
  // bench/spaces/ ships its tables gzipped; parsing the bytes would report binary garbage.
  if (csv_text.substr(0, 2) == "\x1F\x8B")
    throw ConfigError("replay table " + source_name +
                      " is gzip-compressed; unpack it first (zcat " + source_name +
                      " > table.csv) and pass the CSV");

  // Non-blank lines, split into fields, with their 1-based line numbers.
  std::vector<std::pair<size_t, std::vector<std::string>>> records;
  size_t line_number = 0;
  for (size_t start = 0; start < csv_text.size();) {
    size_t end = csv_text.find('\n', start);
    if (end == std::string_view::npos) end = csv_text.size();
    const std::string_view line = csv_text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (Trim(line).empty()) continue;
    records.emplace_back(line_number, SplitFields(line, source_name, line_number));
  }
  if (records.empty())
    throw ConfigError("replay table " + source_name +
                      " is empty; it needs a header line naming the knob columns and time_ms, "
                      "then one row per measured configuration");

  const auto& [header_line, header] = records.front();
  std::optional<size_t> time_column;
  std::string column_list;
  for (size_t i = 0; i < header.size(); ++i) {
    column_list += (i ? ", " : "") + header[i];
    if (header[i].empty())
      Fail(source_name, header_line,
           "column " + std::to_string(i + 1) +
               " of the header has no name; the first line must name every column");
    // Configuration text is "name=value;name=value", read back by splitting at ';' and then at
    // the first '=': a name holding either could not be read back when a run resumes.
    if (header[i].find_first_of(";=") != std::string::npos)
      Fail(source_name, header_line,
           "column name " + Quoted(header[i]) +
               " contains ';' or '=', which configuration text cannot hold; rename the column");
    for (size_t j = 0; j < i; ++j)
      if (header[j] == header[i])
        Fail(source_name, header_line,
             "the header names column " + Quoted(header[i]) +
                 " twice; give every column a "
                 "distinct name");
    if (header[i] == kTimeColumn) time_column = i;
  }
  if (!time_column)
    Fail(source_name, header_line,
         "the header has no time_ms column (it names " + column_list +
             "); the first line must name the columns, e.g. tile,mode,time_ms");
  if (header.size() < 2)
    Fail(source_name, header_line, "the header names only time_ms; add at least one knob column");
  if (records.size() == 1)
    Fail(source_name, header_line,
         "the table has a header but no rows; add one row per measured configuration");

  // Rows, column by column for the knobs.
  const size_t num_rows = records.size() - 1;
  std::vector<std::string> knob_names;
  for (size_t i = 0; i < header.size(); ++i)
    if (i != *time_column) knob_names.push_back(header[i]);
  std::vector<std::vector<std::string>> cells(knob_names.size());
  for (auto& column : cells) column.reserve(num_rows);
  std::vector<double> times;
  times.reserve(num_rows);
  for (size_t r = 1; r < records.size(); ++r) {
    auto& [line, fields] = records[r];
    if (fields.size() != header.size())
      Fail(source_name, line,
           "the row has " + std::to_string(fields.size()) + " fields but the header has " +
               std::to_string(header.size()) +
               "; give every row one value per column (quote values that contain commas)");
    size_t knob = 0;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i == *time_column) {
        const std::string& text = fields[i];
        std::optional<double> time =
            text.empty() ? std::optional<double>(std::nan("")) : ParseDouble(text);
        if (!time)
          Fail(source_name, line,
               "time_ms " + Quoted(text) +
                   " is not a number; write a time in milliseconds, or nan, inf or nothing for "
                   "a failed measurement");
        if (std::isfinite(*time) && *time < 0)
          Fail(source_name, line,
               "time_ms " + Quoted(text) + " is negative; times must be >= 0 milliseconds");
        times.push_back(*time);
        continue;
      }
      if (fields[i].empty())
        Fail(source_name, line,
             "knob " + Quoted(knob_names[knob]) + " has no value; fill in every knob of every row");
      if (fields[i].find(';') != std::string::npos)
        Fail(source_name, line,
             "value " + Quoted(fields[i]) + " of knob " + Quoted(knob_names[knob]) +
                 " contains ';', which configuration text cannot hold; change the value");
      cells[knob++].push_back(std::move(fields[i]));
    }
  }

  std::vector<Knob> knobs;
  std::vector<std::vector<int32_t>> row_index;
  for (size_t k = 0; k < knob_names.size(); ++k) {
    Column column = BuildColumn(cells[k]);
    knobs.push_back({knob_names[k], std::move(column.values)});
    row_index.push_back(std::move(column.row_index));
  }

  // The constraint shares the time map, which is filled in once the space can index rows.
  auto times_by_index = std::make_shared<TimeByFlatIndex>();
  std::shared_ptr<const TimeByFlatIndex> lookup = times_by_index;
  Space::Constraint in_table = [lookup](const Space& space, const Config& config) {
    return lookup->count(space.FlatIndex(config)) > 0;
  };
  std::optional<Space> space;
  try {
    space.emplace(std::move(knobs), std::move(in_table));
  } catch (const Error& error) {
    throw ConfigError("replay table " + source_name + ": " + error.what());
  }
  // Rows are keyed and listed by flat index, which only spaces of fewer than 2^64 index
  // vectors have; Space no longer refuses larger ones itself.
  if (!space->indexable())
    throw ConfigError("replay table " + source_name +
                      ": the space is too large to index (over 2^64 configurations)");

  times_by_index->reserve(num_rows);
  std::unordered_map<uint64_t, size_t> line_of;  // for naming both lines of a repeat
  line_of.reserve(num_rows);
  Config config(knob_names.size());
  for (size_t row = 0; row < num_rows; ++row) {
    for (size_t k = 0; k < config.size(); ++k) config[k] = row_index[k][row];
    const uint64_t index = space->FlatIndex(config);
    const size_t line = records[row + 1].first;
    const auto [it, inserted] = line_of.emplace(index, line);
    if (!inserted)
      Fail(source_name, line,
           "the row repeats the configuration of line " + std::to_string(it->second) + " (" +
               space->ToText(config) + "); keep one measurement per configuration");
    times_by_index->emplace(index, times[row]);
  }
  std::vector<uint64_t> rows;
  rows.reserve(times_by_index->size());
  for (const auto& [index, time] : *times_by_index) rows.push_back(index);
  space->ListValid(std::move(rows));
  return ReplayTable(std::move(*space), std::move(times_by_index), source_name);
}

std::optional<double> ReplayTable::TimeMs(const Config& config) const {
  if (!space_.InRange(config)) return std::nullopt;
  const auto it = times_->find(space_.FlatIndex(config));
  if (it == times_->end()) return std::nullopt;
  return it->second;
}

std::vector<Evaluation> ReplayMeasurer::Measure(const std::vector<Config>& configs) {
  std::vector<Evaluation> results;
  results.reserve(configs.size());
  for (const Config& config : configs) {
    const std::optional<double> time = table_.TimeMs(config);
    TESSEL_CHECK(time.has_value())
        << "configuration "
        << (table_.space().InRange(config) ? table_.space().ToText(config) : "(out of range)")
        << " is not in replay table " << table_.source();
    Evaluation result;
    result.compile_ms = 0;
    if (std::isfinite(*time)) {
      result.value = *time;
      result.repeats = {*time};
      result.spread = 0;
    } else {
      result.status = EvalStatus::kFailed;
      result.error = "failed in the replay table";
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace tessel
