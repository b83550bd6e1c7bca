#include "problems/replay/replay_measurer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace tessel {
namespace {

// tile=1,2,4 x mode=a,b with (2,a) failed and (4,b) never measured; time_ms sits between the
// knobs to show that its position does not matter.
constexpr std::string_view kSmallTable =
    "tile,time_ms,mode\n"
    "4,0.2,a\n"
    "1,0.5,a\n"
    "1,0.7,b\n"
    "2,nan,a\n"
    "2,0.3,b\n";

Config At(const Space& space, std::string_view text) { return space.FromText(text); }

std::vector<std::string> ValueTexts(const Knob& knob) {
  std::vector<std::string> texts;
  for (const KnobValue& value : knob.values) texts.push_back(KnobValueText(value));
  return texts;
}

// The message of the ConfigError that parsing `csv` throws, or "" when it throws none.
std::string ParseError(std::string_view csv) {
  try {
    ReplayTable::Parse(csv, "t.csv");
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kConfig);
    return error.what();
  }
  return "";
}

TEST(ReplayTableTest, KnobsAreTheDistinctValuesOfTheirColumns) {
  const ReplayTable table = ReplayTable::Parse(kSmallTable, "small.csv");
  const Space& space = table.space();
  ASSERT_EQ(space.num_knobs(), 2u);
  EXPECT_EQ(space.knobs()[0].name, "tile");
  EXPECT_EQ(space.knobs()[1].name, "mode");
  EXPECT_EQ(space.knobs()[0].values, (std::vector<KnobValue>{int64_t{1}, int64_t{2}, int64_t{4}}));
  EXPECT_EQ(space.knobs()[1].values, (std::vector<KnobValue>{std::string("a"), std::string("b")}));
  EXPECT_EQ(space.Size(), 6u);
  EXPECT_EQ(table.rows(), 5u);
  EXPECT_EQ(table.source(), "small.csv");
}

TEST(ReplayTableTest, OnlyRowsOfTheTableAreValid) {
  const ReplayTable table = ReplayTable::Parse(kSmallTable, "small.csv");
  const Space& space = table.space();
  EXPECT_TRUE(space.IsValid(At(space, "tile=1;mode=a")));
  EXPECT_TRUE(space.IsValid(At(space, "tile=2;mode=a")));  // failed, but measured
  EXPECT_TRUE(space.IsValid(At(space, "tile=4;mode=a")));
  EXPECT_FALSE(space.IsValid(At(space, "tile=4;mode=b")));
  EXPECT_FALSE(space.IsValid({3, 0}));
  const Space::ValidCount count = space.CountValid();
  EXPECT_TRUE(count.exact);
  EXPECT_EQ(count.count, 5);
}

TEST(ReplayTableTest, TimeMsLooksConfigurationsUp) {
  const ReplayTable table = ReplayTable::Parse(kSmallTable, "small.csv");
  const Space& space = table.space();
  EXPECT_EQ(table.TimeMs(At(space, "tile=1;mode=b")), 0.7);
  EXPECT_EQ(table.TimeMs(At(space, "tile=4;mode=a")), 0.2);
  ASSERT_TRUE(table.TimeMs(At(space, "tile=2;mode=a")).has_value());
  EXPECT_TRUE(std::isnan(*table.TimeMs(At(space, "tile=2;mode=a"))));
  EXPECT_FALSE(table.TimeMs(At(space, "tile=4;mode=b")).has_value());
  EXPECT_FALSE(table.TimeMs({0, 7}).has_value());
  EXPECT_FALSE(table.TimeMs({0}).has_value());
}

TEST(ReplayMeasurerTest, ReturnsTheTableTimesAndFailures) {
  const ReplayTable table = ReplayTable::Parse(kSmallTable, "small.csv");
  const Space& space = table.space();
  ReplayMeasurer measurer(table);
  const std::vector<Evaluation> results = measurer.Measure(
      {At(space, "tile=2;mode=b"), At(space, "tile=2;mode=a"), At(space, "tile=1;mode=a")});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[0].value, 0.3);
  EXPECT_EQ(results[0].repeats, std::vector<double>{0.3});
  EXPECT_EQ(results[0].spread, 0);
  EXPECT_EQ(results[0].compile_ms, 0);
  EXPECT_TRUE(results[0].error.empty());

  EXPECT_EQ(results[1].status, EvalStatus::kFailed);
  EXPECT_EQ(results[1].error, "failed in the replay table");
  EXPECT_TRUE(std::isnan(results[1].value));
  EXPECT_TRUE(results[1].repeats.empty());

  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(results[2].value, 0.5);
  EXPECT_TRUE(measurer.Measure({}).empty());
}

TEST(ReplayMeasurerDeathTest, AConfigurationOutsideTheTableIsABug) {
  const ReplayTable table = ReplayTable::Parse(kSmallTable, "small.csv");
  ReplayMeasurer measurer(table);
  EXPECT_DEATH(measurer.Measure({At(table.space(), "tile=4;mode=b")}),
               "tile=4;mode=b is not in replay table small.csv");
}

TEST(ReplayTableTest, ACopyOutlivesItsOriginal) {
  std::optional<ReplayTable> original = ReplayTable::Parse(kSmallTable, "small.csv");
  const ReplayTable copy = *original;
  original.reset();
  EXPECT_TRUE(copy.space().IsValid({0, 0}));
  EXPECT_FALSE(copy.space().IsValid({2, 1}));
  EXPECT_EQ(copy.TimeMs({0, 0}), 0.5);
}

TEST(ReplayTableTest, NumericColumnsSortByValueAndTextColumnsByText) {
  const ReplayTable table = ReplayTable::Parse(
      "n,word,ratio,time_ms\n"
      "10,b10,0.5,1\n"
      "9,b9,10.25,2\n"
      "100,a,2,3\n"
      "-3,b10,1e-1,4\n",
      "order.csv");
  const auto& knobs = table.space().knobs();
  EXPECT_EQ(knobs[0].values,
            (std::vector<KnobValue>{int64_t{-3}, int64_t{9}, int64_t{10}, int64_t{100}}));
  EXPECT_EQ(ValueTexts(knobs[1]), (std::vector<std::string>{"a", "b10", "b9"}));
  // Decimal columns keep their spelling as text but are ordered by magnitude.
  EXPECT_TRUE(std::holds_alternative<std::string>(knobs[2].values[0]));
  EXPECT_EQ(ValueTexts(knobs[2]), (std::vector<std::string>{"1e-1", "0.5", "2", "10.25"}));
  EXPECT_EQ(table.TimeMs(table.space().FromText("n=9;word=b9;ratio=10.25")), 2);
}

TEST(ReplayTableTest, EmptyNanAndInfTimesAreFailures) {
  const ReplayTable table = ReplayTable::Parse(
      "k,time_ms\n"
      "1,\n"
      "2,NaN\n"
      "3,inf\n"
      "4,-Inf\n"
      "5,+INF\n"
      "6,+1.5\n"
      "7,2e-1\n"
      "8,0\n",
      "failures.csv");
  ReplayMeasurer measurer(table);
  std::vector<Config> configs;
  for (int32_t i = 0; i < 8; ++i) configs.push_back({i});
  const std::vector<Evaluation> results = measurer.Measure(configs);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(results[i].status, EvalStatus::kFailed) << "row " << i + 1;
  EXPECT_EQ(results[5].value, 1.5);
  EXPECT_EQ(results[6].value, 0.2);
  EXPECT_EQ(results[7].value, 0);
  EXPECT_TRUE(results[7].ok());
}

TEST(ReplayTableTest, ReadsQuotesWhitespaceCrlfAndBlankLines) {
  const ReplayTable table = ReplayTable::Parse(
      "\xEF\xBB\xBF tile , \"lay,out\" ,time_ms\r\n"
      " 2 , \"nc,hw\" , 1.5 \r\n"
      "\r\n"
      "4,\"say \"\"hi\"\"\",2.5\r\n"
      "\r\n",
      "quotes.csv");
  const Space& space = table.space();
  ASSERT_EQ(space.num_knobs(), 2u);
  EXPECT_EQ(space.knobs()[0].name, "tile");
  EXPECT_EQ(space.knobs()[1].name, "lay,out");
  EXPECT_EQ(ValueTexts(space.knobs()[1]), (std::vector<std::string>{"nc,hw", "say \"hi\""}));
  EXPECT_EQ(table.rows(), 2u);
  EXPECT_EQ(table.TimeMs({0, 0}), 1.5);
  EXPECT_EQ(table.TimeMs({1, 1}), 2.5);
  EXPECT_FALSE(table.TimeMs({0, 1}).has_value());
  // Configuration text round-trips through the text values.
  EXPECT_EQ(space.FromText(space.ToText({1, 1})), (Config{1, 1}));
}

TEST(ReplayTableTest, RejectsMalformedTablesNamingTheLine) {
  EXPECT_NE(ParseError("").find("is empty"), std::string::npos);
  EXPECT_NE(ParseError("\n \r\n\n").find("is empty"), std::string::npos);
  EXPECT_NE(ParseError("tile,mode\n1,a\n").find("t.csv:1: the header has no time_ms column"),
            std::string::npos);
  EXPECT_NE(ParseError("time_ms\n1\n").find("at least one knob column"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n").find("no rows"), std::string::npos);
  EXPECT_NE(ParseError("tile,tile,time_ms\n1,2,3\n").find("twice"), std::string::npos);
  EXPECT_NE(ParseError("tile,,time_ms\n1,2,3\n").find("has no name"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n1,2\n2\n").find("t.csv:3: the row has 1 fields"),
            std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n1,2,3\n").find("t.csv:2:"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n1,2\n2,fast\n").find("t.csv:3: time_ms 'fast' is not a"),
            std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n1,1.5ms\n").find("'1.5ms'"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n1,-0.5\n").find("negative"), std::string::npos);
  EXPECT_NE(ParseError(std::string("\x1F\x8B\x08\0\0\0", 6)).find("t.csv is gzip-compressed"),
            std::string::npos);
  EXPECT_NE(ParseError("tile,mode,time_ms\n1,a,2\n2,a,3\n1, a ,4\n")
                .find("t.csv:4: the row repeats the configuration of line 2 (tile=1;mode=a)"),
            std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n7,1\n007,2\n").find("repeats"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n,1\n").find("has no value"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n\"4,1\n").find("not closed"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\n\"4\"x,1\n").find("closing quote"), std::string::npos);
  EXPECT_NE(ParseError("tile,time_ms\na;b,1\n").find("';'"), std::string::npos);
  // Every message is one line.
  EXPECT_EQ(ParseError("tile,time_ms\n1,2\n2\n").find('\n'), std::string::npos);
}

class ReplayTableLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tessel_replay_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, std::string_view text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ReplayTableLoadTest, LoadsAFile) {
  const std::string path = Write("small.csv", kSmallTable);
  const ReplayTable table = ReplayTable::Load(path);
  EXPECT_EQ(table.source(), path);
  EXPECT_EQ(table.rows(), 5u);
  EXPECT_EQ(table.TimeMs(table.space().FromText("tile=2;mode=b")), 0.3);
}

TEST_F(ReplayTableLoadTest, RejectsMissingEmptyAndMalformedFiles) {
  const std::string missing = (dir_ / "missing.csv").string();
  EXPECT_THROW(ReplayTable::Load(missing), Error);
  try {
    ReplayTable::Load(missing);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(error.what()).find(missing), std::string::npos);
  }
  EXPECT_THROW(ReplayTable::Load(dir_.string()), Error);
  EXPECT_THROW(ReplayTable::Load(Write("empty.csv", "")), Error);
  EXPECT_THROW(ReplayTable::Load(Write("ragged.csv", "tile,time_ms\n1,2,3\n")), Error);
  const std::string bad = Write("bad.csv", "tile,time_ms\n1,slow\n");
  try {
    ReplayTable::Load(bad);
    ADD_FAILURE() << "no error for a bad time";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(bad + ":2:"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace tessel
