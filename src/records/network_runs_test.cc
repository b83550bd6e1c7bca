// The network runs of the records (schema 6): stored with their layers, read back in order,
// absent from older databases read as they are, and created by an upgrade.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "records/network_run_test_util.h"
#include "records/record_store.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

class NetworkRunsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device device;
    dir_ = fs::temp_directory_path() /
           ("tessel_network_runs_" + std::to_string(getpid()) + "_" + std::to_string(device()));
    fs::create_directories(dir_);
    path_ = (dir_ / "records.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::string path_;
};

const std::string kHost = R"({"cpu":"Test CPU","cpus":2})";

NetworkRunRecord TwoLayerRun(const std::string& network, int threads, double conv_ms) {
  return testing_util::TwoLayerNetworkRun(network, threads, kHost, conv_ms, 7);
}

TEST_F(NetworkRunsTest, StoresARunWithItsLayersInOrder) {
  RecordStore store(path_);
  EXPECT_TRUE(store.NetworkRuns().empty());
  const int64_t first = store.RecordNetworkRun(TwoLayerRun("tiny", 1, 2.0));
  NetworkRunRecord unchecked = TwoLayerRun("tiny", 2, 1.0);
  unchecked.relative_error = std::nan("");
  const int64_t second = store.RecordNetworkRun(unchecked);
  EXPECT_LT(first, second);

  const std::vector<NetworkRunRecord> runs = store.NetworkRuns();
  ASSERT_EQ(runs.size(), 2u);
  const NetworkRunRecord& run = runs[0];
  EXPECT_EQ(run.id, first);
  EXPECT_EQ(run.network, "tiny");
  EXPECT_EQ(run.command, "tessel run --model tiny");
  EXPECT_EQ(run.host, kHost);
  EXPECT_FALSE(run.started_at.empty());
  EXPECT_EQ(run.threads, 1);
  EXPECT_EQ(run.repeats, 5);
  EXPECT_EQ(run.median_ms, 2.5);
  EXPECT_EQ(run.min_ms, 2.4);
  EXPECT_EQ(run.max_ms, 2.75);
  EXPECT_EQ(run.relative_error, 2e-7);
  ASSERT_EQ(run.layers.size(), 2u);
  EXPECT_EQ(run.layers[0].name, "conv1");
  EXPECT_EQ(run.layers[0].op, "conv2d+relu");
  EXPECT_EQ(run.layers[0].task, "n.1");
  EXPECT_EQ(run.layers[0].workload, "dense:in=4,out=4");
  EXPECT_EQ(run.layers[0].task_id, 7);
  EXPECT_TRUE(run.layers[0].tuned);
  EXPECT_EQ(run.layers[0].config, "tile=4");
  EXPECT_EQ(run.layers[0].median_ms, 2.0);
  EXPECT_EQ(run.layers[1].name, "pool");
  EXPECT_FALSE(run.layers[1].task_id.has_value());
  EXPECT_FALSE(run.layers[1].tuned);
  EXPECT_TRUE(std::isnan(runs[1].relative_error));
  EXPECT_EQ(runs[1].threads, 2);
}

TEST_F(NetworkRunsTest, AnOlderDatabaseReadsAsItIsWithoutNetworkRunsAndUpgradesToHoldThem) {
  { RecordStore store(path_); }
  RawExec(
      "DROP TABLE network_layers; DROP TABLE network_runs; "
      "UPDATE meta SET value = '5' WHERE key = 'schema_version'");
  {
    const RecordStore old(path_, RecordStore::Access::kReadOnly);
    EXPECT_TRUE(old.NetworkRuns().empty());
  }
  RecordStore store(path_);  // upgrades
  store.RecordNetworkRun(TwoLayerRun("tiny", 1, 2.0));
  EXPECT_EQ(store.NetworkRuns().size(), 1u);
}

}  // namespace
}  // namespace tessel
