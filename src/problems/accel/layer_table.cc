#include "problems/accel/layer_table.h"

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace tessel {
namespace {

constexpr std::array<std::string_view, 7> kColumns = {"K", "C", "Y", "X", "R", "S", "T"};

[[noreturn]] void Fail(const std::string& source, size_t line, const std::string& what) {
  throw ConfigError(source + ":" + std::to_string(line) + ": " + what);
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t comma = line.find(',', start);
    fields.push_back(Trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

}  // namespace

LayerTable ParseLayerTable(std::string_view csv, const std::string& source) {
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  LayerTable table;
  table.name = std::filesystem::path(source).stem().string();
  std::array<int, kColumns.size()> position;  // of each column in the header
  position.fill(-1);
  size_t columns = 0;
  size_t number = 0;
  bool header = true;
  std::istringstream lines{std::string(csv)};
  for (std::string text; std::getline(lines, text);) {
    ++number;
    if (Trim(text).empty()) continue;
    const std::vector<std::string_view> fields = Fields(text);
    if (header) {
      header = false;
      columns = fields.size();
      for (size_t i = 0; i < fields.size(); ++i) {
        for (size_t c = 0; c < kColumns.size(); ++c) {
          if (fields[i] != kColumns[c]) continue;
          if (position[c] >= 0)
            Fail(source, number, "the header names " + std::string(kColumns[c]) + " twice");
          position[c] = static_cast<int>(i);
        }
      }
      for (size_t c = 0; c < kColumns.size(); ++c)
        if (position[c] < 0)
          Fail(source, number,
               "the header has no " + std::string(kColumns[c]) +
                   " column; a layer table's first line is K,C,Y,X,R,S,T");
      continue;
    }
    if (fields.size() != columns)
      Fail(source, number,
           "the row has " + std::to_string(fields.size()) + " fields and the header " +
               std::to_string(columns));
    std::array<int64_t, kColumns.size()> values{};
    for (size_t c = 0; c < kColumns.size(); ++c) {
      const std::string_view field = fields[position[c]];
      int64_t value = 0;
      const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (error != std::errc() || end != field.data() + field.size() || value < 1)
        Fail(source, number,
             std::string(kColumns[c]) + " '" + std::string(field) +
                 "' is not a positive whole number");
      values[c] = value;
    }
    AccelLayer layer;
    layer.k = values[0];
    layer.c = values[1];
    layer.y = values[2];
    layer.x = values[3];
    layer.r = values[4];
    layer.s = values[5];
    if (values[6] != 1 && values[6] != 2)
      Fail(source, number,
           "T " + std::to_string(values[6]) +
               " is not a layer type; use 1 (convolution) or 2 "
               "(depthwise convolution)");
    layer.type = static_cast<AccelLayerType>(values[6]);
    if (layer.r > layer.y || layer.s > layer.x)
      Fail(source, number, "the filter (R, S) is larger than the input (Y, X)");
    table.layers.push_back(layer);
  }
  if (header) Fail(source, number, "the table is empty; its first line is K,C,Y,X,R,S,T");
  if (table.layers.empty()) Fail(source, number, "the table has a header but no layers");
  return table;
}

LayerTable LoadLayerTable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ConfigError("cannot read the layer table " + path +
                      "; give a CSV file with the header K,C,Y,X,R,S,T or a network's name");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseLayerTable(text.str(), path);
}

LayerTable FindLayerTable(const std::string& name_or_path) {
  for (const auto& [name, text] : BuiltInLayerTables())
    if (name == name_or_path) return ParseLayerTable(text, std::string(name) + ".csv");
  if (std::filesystem::exists(name_or_path)) return LoadLayerTable(name_or_path);
  std::string known;
  for (const auto& [name, text] : BuiltInLayerTables())
    known += (known.empty() ? "" : ", ") + std::string(name);
  throw ConfigError("unknown network '" + name_or_path + "': not a built-in one (" + known +
                    ") nor a file; give a name or a CSV file with the header K,C,Y,X,R,S,T");
}

}  // namespace tessel
