// A DNN's layers as ConfuciuX lists them for accelerator resource assignment: one row per
// layer occurrence, CSV with the header K,C,Y,X,R,S,T (output channels, input channels, input
// rows, input columns, filter rows, filter columns, and the type: 1 a convolution, 2 a
// depthwise convolution), in MAESTRO's dimension names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessel {

enum class AccelLayerType { kConv = 1, kDepthwise = 2 };

struct AccelLayer {
  int64_t k = 1, c = 1, y = 1, x = 1, r = 1, s = 1;
  AccelLayerType type = AccelLayerType::kConv;

  bool operator==(const AccelLayer&) const = default;
};

struct LayerTable {
  std::string name;  // the file's stem
  std::vector<AccelLayer> layers;
};

// Parses CSV text; `source` names it in errors. The header must name the seven columns (in
// any order; surrounding spaces, a byte-order mark and CRLF line ends are accepted). Throws
// tessel::Error, one line naming the source, the line and what to do, for a missing or
// repeated column, a row with the wrong number of fields, a value that is not a positive whole
// number, a type other than 1 or 2, a filter larger than its input, or no rows.
LayerTable ParseLayerTable(std::string_view csv, const std::string& source);

// Reads a layer table file (throws tessel::Error when it cannot be read or parsed).
LayerTable LoadLayerTable(const std::string& path);

// The tables compiled into Tessel (src/problems/accel/nets/), by name: ConfuciuX's networks.
const std::vector<std::pair<std::string_view, std::string_view>>& BuiltInLayerTables();

// A built-in table by name, else the file at `name_or_path`. Throws tessel::Error naming the
// built-in tables when it is neither.
LayerTable FindLayerTable(const std::string& name_or_path);

}  // namespace tessel
