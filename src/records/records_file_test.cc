#include "records/records_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

std::string Testdata(const std::string& name) {
  return std::string(TESSEL_SOURCE_DIR) + "/src/records/testdata/" + name;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t CountRecords(const RecordStore& store) {
  size_t count = 0;
  for (const auto& [task_id, key] : store.Tasks()) count += store.History(task_id).size();
  return count;
}

class RecordsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessel_records_file_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` gzipped, or only its first `keep` compressed bytes.
  std::string Gzip(const std::string& name, const std::string& text, size_t keep = SIZE_MAX) {
    const std::string path = (dir_ / name).string();
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
    gzclose(file);
    if (keep != SIZE_MAX) fs::resize_file(path, keep);
    return path;
  }

  fs::path dir_;
};

// The same export reads alike plain and gzipped, and nothing is written beside it.
TEST_F(RecordsFileTest, ReadsAnExportPlainOrGzipped) {
  const std::string plain = Testdata("schema_v2_export.jsonl");
  const std::unique_ptr<RecordStore> from_plain = LoadRecordsFile(plain);
  EXPECT_EQ(CountRecords(*from_plain), 9u);
  const std::unique_ptr<RecordStore> from_gzip =
      LoadRecordsFile(Gzip("export.jsonl.gz", ReadText(plain)));
  EXPECT_EQ(CountRecords(*from_gzip), 9u);
  EXPECT_EQ(from_gzip->Tasks().size(), from_plain->Tasks().size());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(RecordsFileTest, NamesTheFileAndWhatIsWrong) {
  auto expect_error = [](const std::string& path, ErrorKind kind, const std::string& words) {
    try {
      LoadRecordsFile(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), kind) << error.what();
      EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    }
  };
  expect_error((dir_ / "missing.jsonl").string(), ErrorKind::kIo, "tessel export");
  const std::string text = ReadText(Testdata("schema_v2_export.jsonl"));
  expect_error(Gzip("cut.jsonl.gz", text, 60), ErrorKind::kIo, "corrupt or truncated");
  expect_error(Gzip("bad.jsonl.gz", text + "{\"workload\": 3}\n"), ErrorKind::kConfig, "line 10");
}

}  // namespace
}  // namespace tessel
