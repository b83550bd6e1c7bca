#include "problems/accel/layer_table.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"

namespace tessel {
namespace {

std::string ParseError(const std::string& csv) {
  try {
    ParseLayerTable(csv, "net.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LayerTableTest, ReadsConfuciuxTables) {
  // ConfuciuX's example network: two 3x3 convolutions on 56x56 inputs.
  const LayerTable table =
      ParseLayerTable("K,C,Y,X,R,S,T\n64,32,56,56,3,3,1\n128,64,56,56,3,3,1\n", "nets/example.csv");
  EXPECT_EQ(table.name, "example");
  ASSERT_EQ(table.layers.size(), 2u);
  EXPECT_EQ(table.layers[0], (AccelLayer{64, 32, 56, 56, 3, 3, AccelLayerType::kConv}));
  EXPECT_EQ(table.layers[1].k, 128);
  // Any column order, spaces, a byte-order mark, CRLF, a depthwise layer, blank lines.
  const LayerTable other = ParseLayerTable(
      "\xEF\xBB\xBFT, K ,C,Y,X,R,S\r\n2,32,32,112,112,3,3\r\n\r\n1,16,32,112,112,1,1\r\n", "b.csv");
  ASSERT_EQ(other.layers.size(), 2u);
  EXPECT_EQ(other.layers[0], (AccelLayer{32, 32, 112, 112, 3, 3, AccelLayerType::kDepthwise}));
  EXPECT_EQ(other.layers[1].type, AccelLayerType::kConv);
}

TEST(LayerTableTest, MalformedTablesAreOneLineErrors) {
  EXPECT_NE(ParseError("").find("net.csv:0: the table is empty"), std::string::npos);
  EXPECT_NE(ParseError("K,C,Y,X,R,S,T\n").find("no layers"), std::string::npos);
  EXPECT_NE(ParseError("K,C,Y,X,R,S\n1,1,1,1,1,1\n").find("no T column"), std::string::npos);
  EXPECT_NE(ParseError("K,K,C,Y,X,R,S,T\n").find("names K twice"), std::string::npos);
  EXPECT_NE(ParseError("K,C,Y,X,R,S,T\n1,2,3\n").find("net.csv:2: the row has 3 fields"),
            std::string::npos);
  EXPECT_NE(
      ParseError("K,C,Y,X,R,S,T\n64,32,56,56,3,3,1\n0,1,1,1,1,1,1\n").find("net.csv:3: K '0'"),
      std::string::npos);
  EXPECT_NE(ParseError("K,C,Y,X,R,S,T\n64,3.5,56,56,3,3,1\n").find("C '3.5'"), std::string::npos);
  EXPECT_NE(ParseError("K,C,Y,X,R,S,T\n64,32,56,56,3,3,3\n").find("T 3 is not a layer type"),
            std::string::npos);
  EXPECT_NE(ParseError("K,C,Y,X,R,S,T\n64,32,2,2,3,3,1\n").find("larger than the input"),
            std::string::npos);
  EXPECT_EQ(ParseError("K,C,Y,X,R,S,T\n1,2\n").find('\n'), std::string::npos);
  EXPECT_THROW(LoadLayerTable("/nonexistent/net.csv"), Error);
}

// ConfuciuX's networks are compiled in: found by name, each parses.
TEST(LayerTableTest, BuiltInNetworksAreFoundByName) {
  const LayerTable example = FindLayerTable("example");
  ASSERT_EQ(example.layers.size(), 2u);
  EXPECT_EQ(example.layers[0], (AccelLayer{64, 32, 56, 56, 3, 3, AccelLayerType::kConv}));
  EXPECT_EQ(example.layers[1], (AccelLayer{128, 64, 56, 56, 3, 3, AccelLayerType::kConv}));
  std::vector<std::string_view> names;
  for (const auto& [name, text] : BuiltInLayerTables()) {
    names.push_back(name);
    EXPECT_FALSE(FindLayerTable(std::string(name)).layers.empty()) << name;
  }
  for (const char* name : {"example", "alexnet", "resnet18", "mobilenet_v2"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  bool depthwise = false;
  for (const AccelLayer& layer : FindLayerTable("mobilenet_v2").layers)
    depthwise |= layer.type == AccelLayerType::kDepthwise;
  EXPECT_TRUE(depthwise);
  try {
    FindLayerTable("lenet");
    FAIL() << "an unknown network was found";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown network 'lenet'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("example"), std::string::npos);
  }
}

}  // namespace
}  // namespace tessel
