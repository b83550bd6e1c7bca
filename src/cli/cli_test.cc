// The `tessel` command end to end, run as a child process: output, exit status and the
// promise that bad input gets one line, exit status 2 and loses no records.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/command_test_fixture.h"
#include "core/host.h"
#include "network/onnx_model_builder_test_util.h"

namespace {

using tessel::CpuModelName;
using tessel::OnnxModelBuilder;
using tessel::cli_testing::Outcome;
using tessel::cli_testing::ReadFile;

namespace fs = std::filesystem;

class CliTest : public tessel::cli_testing::CommandTest {
 protected:
  fs::path WriteTable() {
    const fs::path csv = dir_ / "table.csv";
    std::ofstream(csv) << "tile,mode,time_ms\n"
                          "1,a,5.0\n2,a,3.0\n4,a,4.0\n1,b,nan\n2,b,\n4,b,1.5\n8,a,2.5\n";
    return csv;
  }

  // 20 x 20 x 2 configurations, one in 9 missing and one in 11 failed: big.csv.
  void WriteBigTable() {
    std::ofstream table(dir_ / "big.csv");
    table << "tile_a,tile_b,mode,time_ms\n";
    for (int a = 0; a < 20; ++a)
      for (int b = 0; b < 20; ++b)
        for (const char* mode : {"x", "y"}) {
          const int id = (a * 20 + b) * 2 + (mode[0] == 'y');
          if (id % 9 == 0) continue;
          table << a << ',' << b << ',' << mode << ',';
          if (id % 11 == 0) {
            table << "nan\n";
          } else {
            table << 1 + (a - 13) * (a - 13) * 0.1 + (b - 4) * (b - 4) * 0.05 + (mode[0] == 'x')
                  << "\n";
          }
        }
    table.close();
  }
};

TEST_F(CliTest, ZooListsModelsAndLayers) {
  const Outcome outcome = Run("zoo resnet18");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("r18.11"), std::string::npos);
  EXPECT_NE(outcome.out.find("dense:in=512,out=1000"), std::string::npos);
  EXPECT_EQ(Run("zoo").status, 0);
}

TEST_F(CliTest, SpaceReportsSizes) {
  const Outcome outcome = Run("space --model resnet18 --layer 2 --workload dense:in=512,out=1000");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("r18.2"), std::string::npos);
  EXPECT_NE(outcome.out.find("dense_cpu"), std::string::npos);
}

TEST_F(CliTest, BadInputIsOneLineAndExitTwo) {
  ExpectUsageError("zoo resnet19", "unknown model 'resnet19'");
  ExpectUsageError("tune --model resnet18 --layer 99 --trials 5", "unknown layer '99'");
  ExpectUsageError("tune --model resnet18 --tuner magic --trials 5", "unknown tuner 'magic'");
  ExpectUsageError("tune --workload conv2d:c=3,h=5 --trials 5", "lacks 'w'");
  ExpectUsageError("tune --workload dense:in=4,out=4 --trials 0", "--trials");
  ExpectUsageError("tune --workload dense:in=4,out=4 --trials -3", "--trials");
  ExpectUsageError("tune --space missing.csv --trials 5", "missing.csv");
  ExpectUsageError("tune --workload dense:in=4,out=4", "trials");
  ExpectUsageError("tune --trials 5", "no task given");
  // Too large for any machine: refused before anything is allocated.
  ExpectUsageError("tune --workload conv2d:c=100000,h=10000,w=10000,k=100000,r=3,s=3 --trials 1",
                   "a tensor may hold at most 2 GiB");
  ExpectUsageError("tune --workload dense:in=64,out=64 --trials 1 --memory-limit 12X",
                   "--memory-limit expects a size");
  ExpectUsageError("tune --workload dense:in=64,out=64 --trials 1 --memory-limit 100M",
                   "too small for a kernel process");
  ExpectUsageError("export --format xml", "unknown export format");
  ExpectUsageError("import nothing.jsonl", "nothing.jsonl");
  ExpectUsageError("frobnicate", "frobnicate");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner random --transfer",
                   "--tuner autotvm, release");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --features curve",
                   "unknown feature set 'curve'");
  ExpectUsageError("tune --space " + WriteTable().string() + " --trials 5 --features loop",
                   "--features knob");
  ExpectUsageError("tune --space " + WriteTable().string() +
                       " --trials 5 --tuner autotvm "
                       "--transfer",
                   "drop --transfer");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --ppo clip=0.2",
                   "--tuner release or rl");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner rl --ppo clipp=0.2",
                   "unknown --ppo key 'clipp'");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner rl --ppo clip=x",
                   "--ppo clip needs a number");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --build-jobs -1", "--build-jobs");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner rl --sampling top=0.5",
                   "--tuner release or sa-as");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner sa-as --sampling top=2",
                   "top share");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner random --init bted",
                   "model-based tuner");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner autotvm --init sobol",
                   "unknown initial design 'sobol'");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner random --bted mu=1",
                   "--tuner bted, bted-bao or tessel, or with --init bted");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner bted --bted kernel=cosine",
                   "kernel must be rbf or distance");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner bted --bao tau=2",
                   "--tuner bted-bao");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner bted-bao --bao tau=0.5",
                   "tau");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner bted-bao --bao apart=-1",
                   "apart");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner bted --bted encoding=binary",
                   "encoding must be index or onehot");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner random --plan-size 8",
                   "model-based tuner");
  ExpectUsageError("tune --model resnet18 --layer 2 --trials 5 --tuner autotvm --plan-size 0",
                   "--plan-size must be at least 1");
  std::ofstream(dir_ / "bad.csv") << "tile,mode\n1,a\n";
  ExpectUsageError("tune --space bad.csv --trials 5", "time_ms");
  ExpectUsageError(
      "tune --space " + WriteTable().string() + " --trials 5 --db /nonexistent/dir/x.db",
      "/nonexistent/dir/x.db");
}

TEST_F(CliTest, ForeignOrCorruptDatabasesAreRefusedUntouched) {
  const fs::path notes = dir_ / "notes.txt";
  std::ofstream(notes) << "my precious notes\n";
  const std::string before = ReadFile(notes);
  ExpectUsageError("tune --space " + WriteTable().string() + " --trials 3 --db notes.txt",
                   "notes.txt");
  ExpectUsageError("best --db notes.txt", "notes.txt");
  EXPECT_EQ(ReadFile(notes), before);
  EXPECT_FALSE(fs::exists(dir_ / "notes.txt-wal"));
}

TEST_F(CliTest, ReplayTuningPrintsJsonAndRecordsEverything) {
  const std::string table = WriteTable().string();
  const Outcome outcome =
      Run("tune --space " + table + " --tuner grid --trials 50 --seed 3 --json --db r.db");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const nlohmann::json line = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(line["tuner"], "grid");
  EXPECT_EQ(line["seed"], 3);
  EXPECT_EQ(line["measurements"], 7);  // every row; the missing combination 8,b costs nothing
  EXPECT_DOUBLE_EQ(line["best_time_ms"].get<double>(), 1.5);
  EXPECT_EQ(line["best_config"]["tile"], 4);
  EXPECT_EQ(line["best_config"]["mode"], "b");
  ASSERT_EQ(line["curve"].size(), 7u);
  EXPECT_EQ(line["best_gflops"], nullptr);  // a replay table has no FLOP count

  // The records hold all seven, failures included, and export/import round-trips them.
  const Outcome exported = Run("export --db r.db --format jsonl");
  ASSERT_EQ(exported.status, 0) << exported.err;
  EXPECT_EQ(std::count(exported.out.begin(), exported.out.end(), '\n'), 7);
  std::ofstream(dir_ / "records.jsonl") << exported.out;
  ASSERT_EQ(Run("import records.jsonl --db copy.db").status, 0);
  EXPECT_EQ(Run("export --db copy.db --format jsonl").out, exported.out);
  const Outcome best = Run("best --db copy.db");
  ASSERT_EQ(best.status, 0);
  EXPECT_NE(best.out.find("tile=4;mode=b"), std::string::npos) << best.out;
}

TEST_F(CliTest, ProblemsListsEveryProblemWithItsKnobsObjectiveAndMetrics) {
  const Outcome problems = Run("problems");
  ASSERT_EQ(problems.status, 0) << problems.err;
  EXPECT_NE(problems.out.find("schedule:"), std::string::npos) << problems.out;
  EXPECT_NE(problems.out.find("replay:"), std::string::npos);
  EXPECT_NE(problems.out.find("tile_f["), std::string::npos);  // conv2d's knobs
  EXPECT_NE(problems.out.find("metric     gflops"), std::string::npos);
  EXPECT_NE(problems.out.find("objective  time (ms, minimised)"), std::string::npos);
}

// `tessel eval` evaluates one configuration, records it and prints it; constraints make it
// infeasible, and a configuration outside the table is invalid; both are recorded too.
TEST_F(CliTest, EvalEvaluatesRecordsAndPrintsOneConfiguration) {
  const std::string table = WriteTable().string();
  const Outcome ok =
      Run("eval --problem replay --space " + table + " --config tile=4,mode=b --json --db e.db");
  ASSERT_EQ(ok.status, 0) << ok.err;
  const nlohmann::json line = nlohmann::json::parse(ok.out);
  EXPECT_EQ(line["problem"], "replay");
  EXPECT_EQ(line["status"], "ok");
  EXPECT_EQ(line["objective"], "time");
  EXPECT_DOUBLE_EQ(line["value"].get<double>(), 1.5);
  EXPECT_EQ(line["config"]["tile"], 4);
  EXPECT_EQ(line["config"]["mode"], "b");
  EXPECT_TRUE(line["metrics"].is_object());
  const Outcome infeasible =
      Run("eval --space " + table + " --config tile=2,mode=a --constraint 'time<=2.5' --json " +
          "--db e.db");
  ASSERT_EQ(infeasible.status, 0) << infeasible.err;
  EXPECT_EQ(nlohmann::json::parse(infeasible.out)["status"], "infeasible");
  const Outcome invalid = Run("eval --space " + table + " --config tile=8,mode=b --db e.db");
  ASSERT_EQ(invalid.status, 0) << invalid.err;
  EXPECT_NE(invalid.out.find("status     invalid"), std::string::npos) << invalid.out;
  // All three are in the records; the infeasible one is not the best.
  const Outcome records = Run("export --db e.db");
  std::istringstream lines(records.out);
  std::vector<std::string> statuses;
  for (std::string text; std::getline(lines, text);)
    statuses.push_back(nlohmann::json::parse(text)["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"ok", "infeasible", "invalid"}));
  EXPECT_NE(Run("best --db e.db").out.find("tile=4;mode=b"), std::string::npos);

  // Bad input: one line, exit 2, nothing recorded.
  ExpectUsageError("eval --problem nas --config a=1 --db e.db", "unknown problem 'nas'");
  ExpectUsageError("eval --space " + table + " --config tile=3,mode=a --db e.db",
                   "knob 'tile' has no value '3'; its values are 1, 2, 4, 8");
  ExpectUsageError("eval --space " + table + " --config tile=1,shape=a --db e.db", "shape");
  ExpectUsageError("eval --space " + table + " --config tile=1 --db e.db", "lacks knob 'mode'");
  ExpectUsageError(
      "eval --space " + table + " --config tile=1,mode=a --constraint 'area<=3' " + "--db e.db",
      "reports no metric 'area'");
  ExpectUsageError("eval --space " + table + " --config tile=1,mode=a --constraint area --db e.db",
                   "METRIC<=LIMIT");
  ExpectUsageError("eval --problem schedule --space " + table + " --config tile=1 --db e.db",
                   "drop the replay problem's options");
  ExpectUsageError("eval --model resnet18 --config tile_f=1 --db e.db", "evaluates one instance");
  const std::string after = Run("export --db e.db").out;
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 3);
}

// --problem names what the other options imply, --constraint applies to every evaluation, and
// the --json line carries the objective, the best value and its metrics.
TEST_F(CliTest, TuneTakesAProblemAndConstraints) {
  const std::string table = WriteTable().string();
  const Outcome tuned = Run("tune --problem replay --space " + table +
                            " --tuner grid --trials 50 --constraint 'time<=100' --json --db t.db");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  const nlohmann::json line = nlohmann::json::parse(tuned.out);
  EXPECT_EQ(line["problem"], "replay");
  EXPECT_EQ(line["objective"], "time");
  EXPECT_EQ(line["unit"], "ms");
  EXPECT_DOUBLE_EQ(line["best_value"].get<double>(), 1.5);
  EXPECT_EQ(line["best_metrics"], nlohmann::json::object());
  EXPECT_EQ(line["constraints"], nlohmann::json::array({"time<=100"}));
  const Outcome tight = Run("tune --space " + table +
                            " --tuner grid --trials 50 --constraint 'time<=1' --json --db v.db");
  ASSERT_EQ(tight.status, 0) << tight.err;
  EXPECT_EQ(nlohmann::json::parse(tight.out)["best_value"], nullptr);  // nothing feasible
  // The genetic algorithm is a preset like the others, with its options.
  const Outcome genetic =
      Run("tune --space " + table +
          " --tuner ga --ga population=4,parents=2 --trials 7 --json --db g.db");
  ASSERT_EQ(genetic.status, 0) << genetic.err;
  const nlohmann::json ga = nlohmann::json::parse(genetic.out);
  EXPECT_EQ(ga["measurements"], 7);
  EXPECT_EQ(ga["ga"], "population=4,parents=2,mutation=0.1");
  EXPECT_DOUBLE_EQ(ga["best_value"].get<double>(), 1.5);
  ExpectUsageError("tune --space " + table + " --tuner random --ga population=4 --trials 5",
                   "use it with --tuner ga");
  ExpectUsageError("tune --space " + table + " --tuner ga --ga parents=30 --trials 5",
                   "parents must be between 2 and its population");
  ExpectUsageError("tune --problem nas --space " + table + " --trials 5", "unknown problem 'nas'");
  ExpectUsageError("space --problem replay --model resnet18", "see 'tessel problems'");
  ExpectUsageError("tune --problem replay --workload dense:in=4,out=4 --trials 5",
                   "drop the schedule problem's options");
  ExpectUsageError("tune --space " + table + " --trials 5 --constraint 'gflops<=1'",
                   "reports no metric 'gflops'");
  ExpectUsageError("tune --space " + table + " --tuner confuciux --trials 5", "step by step");
  EXPECT_FALSE(fs::exists(dir_ / "tessel.db"));  // refused before the database was touched
}

// The accel problem: ConfuciuX's published configurations on `example` evaluate to its
// published latencies, a bare area constraint is ConfuciuX's budget, and tuning records like
// every other problem.
TEST_F(CliTest, AccelEvaluatesAndTunesConfuciuxNetworks) {
  const Outcome best = Run(
      "eval --problem accel --net example --dataflow shi --config pe.1=58,kt.1=8,pe.2=68,kt.2=8 "
      "--constraint area --constraint-ratio 0.5 --json --db a.db");
  ASSERT_EQ(best.status, 0) << best.err;
  const nlohmann::json line = nlohmann::json::parse(best.out);
  EXPECT_EQ(line["problem"], "accel");
  EXPECT_EQ(line["status"], "ok");
  EXPECT_EQ(line["objective"], "latency");
  EXPECT_EQ(line["value"], 4999682);
  for (const char* metric : {"latency", "energy", "area", "power", "edp"})
    EXPECT_TRUE(line["metrics"].contains(metric)) << metric;
  // Over budget: every layer at 128 PEs.
  const Outcome over =
      Run("eval --net example --config pe.1=128,kt.1=8,pe.2=128,kt.2=8 --constraint area "
          "--json --db a.db");
  ASSERT_EQ(over.status, 0) << over.err;
  EXPECT_EQ(nlohmann::json::parse(over.out)["status"], "infeasible");

  const Outcome tuned =
      Run("tune --problem accel --net example --objective energy --constraint power "
          "--constraint-ratio 0.3 --tuner random --trials 20 --seed 1 --json --db a.db");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  const nlohmann::json result = nlohmann::json::parse(tuned.out);
  EXPECT_EQ(result["objective"], "energy");
  EXPECT_EQ(result["measurements"], 20);
  EXPECT_LE(result["best_metrics"]["power"].get<double>(),
            std::stod(result["constraints"][0].get<std::string>().substr(7)));

  ExpectUsageError("eval --net lenet --config pe.1=1 --db a.db", "lenet");
  ExpectUsageError("eval --net example --dataflow eyeriss --config pe.1=1 --db a.db",
                   "unknown dataflow 'eyeriss'");
  ExpectUsageError("eval --net example --config pe.1=129,kt.1=1,pe.2=1,kt.2=1 --db a.db",
                   "has no value '129'");
  ExpectUsageError("eval --net example --config pe.1=1,kt.1=1,pe.3=1,kt.2=1 --db a.db", "pe.3");
  ExpectUsageError("eval --net example --objective speed --config pe.1=1 --db a.db",
                   "use latency, energy or edp");
  ExpectUsageError("tune --net example --constraint area --constraint-ratio 2 --trials 5 --db a.db",
                   "between 0 and 1");
  ExpectUsageError("tune --net example --constraint-ratio 0.5 --trials 5 --db a.db",
                   "use it with --constraint area");
  ExpectUsageError(
      "tune --net example --tuner reinforce --db a.db --trials 5 --workload "
      "dense:in=4,out=4",
      "more than one problem");
  std::ofstream(dir_ / "bad.csv") << "K,C,Y,X,R,S,T\n64,32,56,56,3\n";
  ExpectUsageError("eval --net bad.csv --config pe.1=1,kt.1=1 --db a.db", "bad.csv");
  // Bad input recorded nothing: two evaluations and twenty tuning measurements.
  const std::string records = Run("export --db a.db").out;
  EXPECT_EQ(std::count(records.begin(), records.end(), '\n'), 22);
}

TEST_F(CliTest, QuantEvaluatesAndTunesATrainedLenet) {
  // A network trained on 512 images for one epoch: seconds, where the full training takes
  // minutes; the cache directory is the test's own, so it trains once here.
  const std::string quant = "--net lenet5 --train epochs=1,subset=512 --cache-dir cache ";
  const Outcome eval =
      Run("eval " + quant + "--config bits.1=2,bits.2=2,bits.3=3,bits.4=2 --json --db q.db");
  ASSERT_EQ(eval.status, 0) << eval.err;
  EXPECT_NE(eval.err.find("lenet5: trained"), std::string::npos) << eval.err;
  const nlohmann::json line = nlohmann::json::parse(eval.out);
  EXPECT_EQ(line["problem"], "quant");
  EXPECT_EQ(line["objective"], "bitfusion_energy");
  EXPECT_DOUBLE_EQ(line["metrics"]["avg_bits"].get<double>(), 2.25);
  EXPECT_NEAR(line["metrics"]["stripes_speedup"].get<double>(), 3.68, 0.005);
  const double accuracy = line["metrics"]["accuracy"].get<double>();
  EXPECT_GT(accuracy, 0.1);
  EXPECT_LE(accuracy, 1.0);
  // Infeasible exactly when the loss passes the default 1 point.
  EXPECT_EQ(line["status"],
            line["metrics"]["accuracy_loss"].get<double>() > 1.0 ? "infeasible" : "ok");

  const Outcome tuned = Run("tune " + quant +
                            "--bits-set 2,4,8 --objective avg_bits --max-accuracy-loss 5 "
                            "--tuner random --trials 6 --seed 3 --json --db q.db");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  EXPECT_EQ(tuned.err.find("trained in"), std::string::npos) << "the cached network is reused";
  const nlohmann::json result = nlohmann::json::parse(tuned.out);
  EXPECT_EQ(result["objective"], "avg_bits");
  EXPECT_EQ(result["measurements"], 6);
  EXPECT_LE(result["best_metrics"]["accuracy_loss"].get<double>(), 5.0);

  ExpectUsageError("eval --problem quant --net lenet --config bits.1=2 --db q.db",
                   "lenet5, convnet6");
  ExpectUsageError("eval " + quant + "--config bits.1=9,bits.2=2,bits.3=2,bits.4=2 --db q.db",
                   "has no value '9'");
  ExpectUsageError("eval " + quant + "--bits-set 2,12 --config bits.1=2 --db q.db", "1..8");
  ExpectUsageError("eval " + quant + "--objective latency --config bits.1=2 --db q.db",
                   "bitfusion_energy, avg_bits or stripes_cycles");
  ExpectUsageError(
      "eval --net lenet5 --dataset missing --cache-dir cache2 --config bits.1=2 "
      "--db q.db",
      "dataset-fashion-mnist");
  ExpectUsageError("eval " + quant + "--fine-tune epochs=x --config bits.1=2 --db q.db",
                   "--fine-tune epochs");
  ExpectUsageError("tune --net example --max-accuracy-loss 1 --trials 2 --db q.db",
                   "more than one problem");
  ExpectUsageError("tune --problem accel --net example --max-accuracy-loss 1 --trials 2 --db q.db",
                   "quant problem's");
  // Bad input recorded nothing: one evaluation, the default and six tuning measurements.
  const std::string records = Run("export --db q.db").out;
  EXPECT_EQ(std::count(records.begin(), records.end(), '\n'), 8);
}

TEST_F(CliTest, CsvExportIsAReplayTable) {
  const std::string table = WriteTable().string();
  ASSERT_EQ(Run("tune --space " + table + " --tuner grid --trials 50 --db r.db").status, 0);
  ExpectUsageError("export --db r.db --format csv", "--task");
  ExpectUsageError("export --db r.db --format csv --task 9", "no task '9'");
  const Outcome exported = Run("export --db r.db --format csv --task 1");
  ASSERT_EQ(exported.status, 0) << exported.err;
  EXPECT_EQ(exported.out.substr(0, exported.out.find('\n')), "tile,mode,time_ms");
  std::ofstream(dir_ / "again.csv") << exported.out;
  const Outcome replayed = Run("tune --space again.csv --tuner grid --trials 50 --json --db s.db");
  ASSERT_EQ(replayed.status, 0) << replayed.err;
  const nlohmann::json line = nlohmann::json::parse(replayed.out);
  EXPECT_EQ(line["measurements"], 7);  // the same rows, the failed ones included
  EXPECT_DOUBLE_EQ(line["best_time_ms"].get<double>(), 1.5);
}

TEST_F(CliTest, SameSeedSameChoicesOnReplay) {
  const std::string table = WriteTable().string();
  const std::string args = "tune --space " + table + " --tuner random --trials 4 --json --seed ";
  const Outcome a = Run(args + "5 --db a.db"), b = Run(args + "5 --db b.db");
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(nlohmann::json::parse(a.out)["curve"], nlohmann::json::parse(b.out)["curve"]);
}

TEST_F(CliTest, ModelBasedPresetsOnReplayAreReproducible) {
  WriteBigTable();
  for (const std::string tuner : {"autotvm", "release", "rl", "sa-as", "bted", "bted-bao"}) {
    SCOPED_TRACE(tuner);
    const std::string args =
        "tune --space big.csv --tuner " + tuner + " --trials 150 --json --seed 9 ";
    const Outcome a = Run(args + "--db " + tuner + "_a.db"),
                  b = Run(args + "--db " + tuner + "_b.db");
    ASSERT_EQ(a.status, 0) << a.err;
    const nlohmann::json first = nlohmann::json::parse(a.out);
    const nlohmann::json second = nlohmann::json::parse(b.out);
    EXPECT_EQ(first["tuner"], tuner);
    EXPECT_EQ(first["measurements"], 150);
    EXPECT_EQ(first["curve"], second["curve"]);
    EXPECT_EQ(first["best_config"], second["best_config"]);
    EXPECT_EQ(first["search_rounds"], second["search_rounds"]);
    EXPECT_EQ(first["init"], tuner.starts_with("bted") ? "bted" : "random");
    // Searches start after the first 64 measurements; each took steps and planned some.
    ASSERT_FALSE(first["search_rounds"].empty());
    EXPECT_EQ(first["search_rounds"][0]["measured"], 64);
    for (const auto& round : first["search_rounds"]) {
      EXPECT_GT(round["steps"].get<int>(), 0);
      EXPECT_GT(round["planned"].get<int>(), 0);
    }
  }
}

TEST_F(CliTest, PlanSizeSetsTheInitialDesignAndTheBatches) {
  // With --plan-size 8 the model is first consulted after 8 measurements and autotvm then
  // plans 8 at a time; bted-bao's design shrinks to 8 and its batches stay BAO's own.
  WriteBigTable();
  const std::string args = "tune --space big.csv --trials 40 --json --seed 3 ";
  const Outcome autotvm = Run(args + "--tuner autotvm --plan-size 8 --db p_a.db");
  ASSERT_EQ(autotvm.status, 0) << autotvm.err;
  const nlohmann::json line = nlohmann::json::parse(autotvm.out);
  EXPECT_EQ(line["plan_size"], 8);
  EXPECT_EQ(line["variant"], "plan:8");
  ASSERT_GE(line["search_rounds"].size(), 4u);
  for (size_t i = 0; i < line["search_rounds"].size(); ++i) {
    EXPECT_EQ(line["search_rounds"][i]["measured"], 8 * (i + 1));
    EXPECT_EQ(line["search_rounds"][i]["planned"], 8);
  }
  const Outcome bao = Run(args + "--tuner bted-bao --plan-size 8 --bao batch=16 --db p_b.db");
  ASSERT_EQ(bao.status, 0) << bao.err;
  const nlohmann::json bao_line = nlohmann::json::parse(bao.out);
  ASSERT_GE(bao_line["search_rounds"].size(), 2u);
  EXPECT_EQ(bao_line["search_rounds"][0]["measured"], 8);
  EXPECT_EQ(bao_line["search_rounds"][1]["measured"], 24);
}

TEST_F(CliTest, TunesARealWorkloadAndUsesTesselDbFromTheEnvironment) {
  const Outcome outcome =
      Run("tune --workload conv2d:c=4,h=8,w=8,k=8,r=3,s=3,stride=1,pad=1 --trials 3 --threads 1 "
          "--min-repeat-ms 1 --repeats 2 --json",
          "TESSEL_DB=real.db");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const nlohmann::json line = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(line["measurements"], 3);
  EXPECT_GT(line["best_gflops"].get<double>(), 0);
  EXPECT_TRUE(line["best_config"].contains("tile_f"));
  EXPECT_EQ(line["features"], "both");  // the default for an operator's template
  const Outcome best = Run("best --db real.db");
  EXPECT_NE(best.out.find("conv2d:c=4,h=8,w=8,k=8"), std::string::npos) << best.out;
  // Where the record was measured, with the FMA peak on the threads it ran on, and this host.
  EXPECT_NE(best.out.find("measured on: " + CpuModelName()), std::string::npos) << best.out;
  EXPECT_NE(best.out.find("GFLOP/s on 1 thread: 1 schedule task\n"), std::string::npos) << best.out;
  EXPECT_NE(best.out.find("the records' host)"), std::string::npos) << best.out;
  // Where the time went, per task: compiling dominates tiny kernels.
  EXPECT_GT(line["seconds"]["compile"].get<double>(), 0);
  EXPECT_GT(line["seconds"]["run"].get<double>(), 0);
  EXPECT_GE(line["seconds"]["wall"].get<double>(),
            line["seconds"]["compile"].get<double>() + line["seconds"]["run"].get<double>());
}

TEST_F(CliTest, AutoTvmWithTransferPrintsTimesAndSaysWhenHistoryIsTooSmall) {
  const Outcome outcome =
      Run("tune --workload conv2d:c=4,h=8,w=8,k=8,r=3,s=3,stride=1,pad=1 --trials 3 --threads 1 "
          "--min-repeat-ms 1 --repeats 2 --tuner autotvm --transfer --db t.db");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_NE(outcome.err.find("starting without a base model"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.out.find("compile s"), std::string::npos) << outcome.out;
}

// The default tuner starts from the repository's prior and, given a budget, shares it by its
// models' predictions, which the prior makes worth following.
TEST_F(CliTest, TheDefaultTunerStartsFromTheRepositorysPrior) {
  const std::string tune =
      "tune --model resnet18 --layer 12 --budget 2 --threads 1 --min-repeat-ms 1 --repeats 1 "
      "--no-default --json ";
  const Outcome by_default = Run(tune + "--db auto.db");
  ASSERT_EQ(by_default.status, 0) << by_default.err;
  EXPECT_NE(by_default.err.find("--prior: base model from"), std::string::npos) << by_default.err;
  EXPECT_EQ(nlohmann::json::parse(by_default.out)["allocation"], "predicted") << by_default.out;
  // Not when told so, and not for the papers' tuners.
  for (const std::string other : {"--prior none", "--tuner autotvm"}) {
    const Outcome without = Run(tune + other + " --db " + other.substr(2, 5) + ".db");
    ASSERT_EQ(without.status, 0) << without.err;
    EXPECT_EQ(without.err.find("--prior"), std::string::npos) << other << ": " << without.err;
    EXPECT_EQ(nlohmann::json::parse(without.out)["allocation"], "equal") << other;
  }
  ExpectUsageError(tune + "--prior missing.jsonl --db missing.db", "missing.jsonl");
}

TEST_F(CliTest, RunsANetworkWithItsTunedKernelsAgainstTheReference) {
  // One task tuned for one thread: run uses its record and the default schedule elsewhere,
  // and the fused network agrees with the reference executor.
  const Outcome tuned =
      Run("tune --model resnet18 --layer 12 --trials 3 --threads 1 --min-repeat-ms 1 --repeats 2 "
          "--db net.db --no-default");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  const Outcome outcome =
      Run("run --model resnet18 --db net.db --threads 1 --layout nchw --repeats 2 --warmup 1 "
          "--json");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const nlohmann::json line = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(line["network"], "resnet18");
  EXPECT_EQ(line["kernels"], 21);  // 20 convolutions and the classifier
  EXPECT_EQ(line["tuned"], 1);
  EXPECT_LT(line["relative_error"].get<double>(), 1e-4);
  EXPECT_GT(line["median_ms"].get<double>(), 0);
  int residual_kernels = 0;
  for (const auto& layer : line["layers"]) {
    if (layer["op"] == "conv2d+add+relu") ++residual_kernels;
    if (layer.contains("task") && layer["task"] == "r18.12") {
      EXPECT_TRUE(layer["tuned"].get<bool>());
    }
  }
  EXPECT_EQ(residual_kernels, 8);
  // The one tuned layer's record was measured here, on one thread.
  ASSERT_EQ(line["record_hosts"].size(), 1u) << line.dump();
  EXPECT_EQ(line["record_hosts"][0]["records"], 1);
  EXPECT_EQ(line["record_hosts"][0]["cpu"], CpuModelName());
  EXPECT_GT(line["record_hosts"][0]["fma_peak_gflops"]["1"].get<double>(), 0);
  EXPECT_GT(line["host"]["fma_peak_gflops"]["1"].get<double>(), 0);

  const Outcome table =
      Run("run --model squeezenet_v1.1 --db none.db --layout nchw --repeats 1 --warmup 0");
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.err.find("no records database at none.db"), std::string::npos) << table.err;
  EXPECT_NE(table.out.find("end to end: median"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("untuned (default schedule): sq.18"), std::string::npos) << table.out;
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));
  // An output that disagrees with what it is compared with fails the command.
  const std::vector<float> zeros(1000, 0.0f);
  std::ofstream(dir_ / "zeros.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(zeros.data()), zeros.size() * sizeof(float));
  const Outcome wrong = Run(
      "run --model squeezenet_v1.1 --db none.db --layout nchw --repeats 1 --warmup 0 --no-check "
      "--compare "
      "zeros.bin");
  EXPECT_EQ(wrong.status, 1) << wrong.err;
  EXPECT_NE(wrong.err.find("exceeds --tolerance"), std::string::npos) << wrong.err;
}

TEST_F(CliTest, RunKeepsLayersToOneThreadWhereThatWasFaster) {
  const Outcome outcome =
      Run("run --model squeezenet_v1.1 --db none.db --threads 2 --layer-threads fastest "
          "--layout nchw --repeats 1 --warmup 0 --json");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const nlohmann::json line = nlohmann::json::parse(outcome.out);
  EXPECT_LT(line["relative_error"].get<double>(), 1e-4);
  int timed = 0;
  for (const auto& layer : line["layers"]) {
    const std::string op = layer["op"];
    const bool compiled = layer.contains("workload") || op.find("pool") != std::string::npos;
    ASSERT_EQ(layer.contains("thread_choice"), compiled) << layer.dump();
    if (!compiled) {
      EXPECT_FALSE(layer["single_threaded"].get<bool>()) << layer.dump();
      continue;
    }
    ++timed;
    const nlohmann::json& choice = layer["thread_choice"];
    EXPECT_GT(choice["pool_ms"].get<double>(), 0);
    EXPECT_GT(choice["single_ms"].get<double>(), 0);
    EXPECT_EQ(layer["single_threaded"].get<bool>(), choice["ratio"].get<double>() < 0.95)
        << layer.dump();
  }
  EXPECT_EQ(timed, 26 + 4);  // SqueezeNet's 26 convolutions, 3 max pools and its average pool

  // On the pool, the default, nothing is timed and every layer shares the pool.
  const Outcome pooled = Run(
      "run --model squeezenet_v1.1 --db none.db --threads 2 --layout nchw --repeats 1 --warmup 0 "
      "--json");
  ASSERT_EQ(pooled.status, 0) << pooled.err;
  for (const auto& layer : nlohmann::json::parse(pooled.out)["layers"]) {
    EXPECT_FALSE(layer.contains("thread_choice"));
    EXPECT_FALSE(layer["single_threaded"].get<bool>());
  }
}

// A layer tuned channels-last runs in a channels-last network, and only there: its task is
// the NHWC workload.
TEST_F(CliTest, ChannelsLastLayersAreTunedAndRunAsTheirOwnTasks) {
  const Outcome tuned = Run(
      "tune --model mobilenet_v1 --layer mb1.17 --layout nhwc --budget 2 --threads 1 --repeats 1 "
      "--min-repeat-ms 1 --no-default --db nhwc.db --json");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  EXPECT_EQ(nlohmann::json::parse(tuned.out)["workload"],
            "conv2d:c=512,h=14,w=14,k=512,r=1,s=1,stride=1,pad=0,layout=nhwc")
      << tuned.out;
  for (const std::string layout : {"nhwc", "nchw"}) {
    const Outcome run = Run("run --model mobilenet_v1 --layout " + layout +
                            " --db nhwc.db --threads 1 --repeats 1 --warmup 0 --no-record --json");
    ASSERT_EQ(run.status, 0) << run.err;
    const nlohmann::json line = nlohmann::json::parse(run.out);
    EXPECT_EQ(line["layout"], layout);
    EXPECT_LT(line["relative_error"].get<double>(), 1e-4);
    int transforms = 0, tuned_layers = 0;
    for (const auto& layer : line["layers"]) {
      transforms += layer["op"] == "layout_transform";
      if (!layer.contains("workload")) continue;
      tuned_layers += layer["tuned"].get<bool>();
      if (layer["task"] == "mb1.17") {
        EXPECT_EQ(layer["tuned"].get<bool>(), layout == "nhwc");
      }
    }
    EXPECT_EQ(transforms, layout == "nhwc" ? 1 : 0);    // the input
    EXPECT_EQ(tuned_layers, layout == "nhwc" ? 5 : 0);  // mb1.17 runs five times
    EXPECT_FALSE(line.contains("layout_choice"));
  }
  // Without --layout, both are built and timed, and the faster runs.
  const Outcome chosen =
      Run("run --model mobilenet_v1 --db nhwc.db --threads 1 --repeats 1 --warmup 0 --no-record "
          "--json");
  ASSERT_EQ(chosen.status, 0) << chosen.err;
  const nlohmann::json line = nlohmann::json::parse(chosen.out);
  ASSERT_EQ(line["layout_choice"].size(), 2u) << chosen.out;
  const nlohmann::json& nchw = line["layout_choice"][0];
  const nlohmann::json& nhwc = line["layout_choice"][1];
  EXPECT_EQ(nchw["layout"], "nchw");
  EXPECT_EQ(nhwc["layout"], "nhwc");
  EXPECT_GE(nchw["runs"].get<int>(), 5);
  EXPECT_EQ(nchw["runs"], nhwc["runs"]);
  EXPECT_EQ(line["layout"],
            nhwc["median_ms"].get<double>() < nchw["median_ms"].get<double>() ? "nhwc" : "nchw");
  EXPECT_EQ(line["tuned"], line["layout"] == "nhwc" ? 5 : 0);
  EXPECT_LT(line["relative_error"].get<double>(), 1e-4);
  ExpectUsageError(
      "tune --workload conv2d:c=4,h=8,w=8,k=8,r=1,s=1 --layout nhwc --budget 1 --db nhwc.db",
      "--layout needs --model or --onnx");
  ExpectUsageError("run --model mobilenet_v1 --layout nhcw", "--layout");
}

TEST_F(CliTest, RunRejectsBadNetworks) {
  ExpectUsageError("run", "give one network");
  ExpectUsageError("run --model resnet18 --onnx m.onnx", "give one network");
  ExpectUsageError("run --model resnet19", "unknown model 'resnet19'");
  ExpectUsageError("run --onnx missing.onnx", "cannot read missing.onnx");
  std::ofstream(dir_ / "bad.onnx") << "not a model";
  ExpectUsageError("run --onnx bad.onnx", "bad.onnx: not a readable ONNX model");
  ExpectUsageError("run --model alexnet --repeats 0", "--repeats must be at least 1");
  ExpectUsageError("run --model alexnet --tolerance 0", "--tolerance must be a positive number");
  ExpectUsageError("run --model alexnet --layer-threads one", "--layer-threads");
}

TEST_F(CliTest, ABudgetIsSplitAndResumedFromTheDatabase) {
  const std::string both =
      "tune --workload conv2d:c=4,h=8,w=8,k=8,r=3,s=3,stride=1,pad=1 --workload dense:in=16,out=8 "
      "--threads 1 --min-repeat-ms 1 --repeats 1 --no-default --json ";
  const std::string tasks = both + "--db budget.db ";
  auto lines = [](const std::string& out) {
    std::vector<nlohmann::json> parsed;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) parsed.push_back(nlohmann::json::parse(line));
    return parsed;
  };
  const Outcome first = Run(tasks + "--budget 5 --allocation equal");
  ASSERT_EQ(first.status, 0) << first.err;
  auto parsed = lines(first.out);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["measurements"], 3);
  EXPECT_EQ(parsed[1]["measurements"], 2);
  // Resumed with 5 each: the records count, and only the rest is measured.
  const Outcome second = Run(tasks + "--budget 10 --resume --tuner autotvm --plan-size 2");
  ASSERT_EQ(second.status, 0) << second.err;
  parsed = lines(second.out);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["resumed"], 3);
  EXPECT_EQ(parsed[0]["measurements"], 2);
  EXPECT_EQ(parsed[1]["resumed"], 2);
  EXPECT_EQ(parsed[1]["measurements"], 3);
  // The autotvm run learned from its resumed measurements: it searched from the start.
  EXPECT_EQ(parsed[1]["search_rounds"][0]["measured"], 2);
  const Outcome third = Run(tasks + "--budget 10 --resume");
  ASSERT_EQ(third.status, 0) << third.err;
  EXPECT_TRUE(third.out.empty()) << third.out;
  EXPECT_NE(third.err.find("nothing to do"), std::string::npos) << third.err;
  // No configuration was measured twice.
  const Outcome records = Run("export --db budget.db");
  std::set<std::string> seen;
  int count = 0;
  for (const auto& record : lines(records.out)) {
    ++count;
    seen.insert(record["instance"].get<std::string>() + record["config"].get<std::string>());
  }
  EXPECT_EQ(count, 10);
  EXPECT_EQ(seen.size(), 10u);

  // Ansor's allocation: a first round each, then round by round; the budget is spent exactly.
  const Outcome gradient = Run(both + "--budget 40 --allocation gradient --db gradient.db");
  ASSERT_EQ(gradient.status, 0) << gradient.err;
  parsed = lines(gradient.out);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["measurements"].get<int>() + parsed[1]["measurements"].get<int>(), 40);
  EXPECT_GE(parsed[0]["measurements"].get<int>(), 8);
  EXPECT_GE(parsed[1]["measurements"].get<int>(), 8);

  // Predicted allocation: tessel's model says when a task has little left to gain; with a
  // threshold no round can meet, both tasks stop after two estimates below it (a plan of twins
  // only gives none, and another plan follows). A first round of one batch, a second that
  // completes the plan, then plans of 16.
  const Outcome predicted = Run(both +
                                "--budget 200 --tuner tessel --allocation predicted --min-gain 0.9 "
                                "--db predicted.db");
  ASSERT_EQ(predicted.status, 0) << predicted.err;
  for (const nlohmann::json& task : lines(predicted.out)) {
    const int measured = task["measurements"].get<int>();
    EXPECT_GE(measured, 32);
    EXPECT_EQ(measured % 16, 0);
    EXPECT_EQ(task["stopped_by_model"], true);
    EXPECT_LT(task["expected_gain"].get<double>(), 0.9);
  }
  EXPECT_NE(predicted.err.find(" of the 200 measurements left unspent"), std::string::npos)
      << predicted.err;
  ExpectUsageError(tasks + "--budget 40 --allocation predicted --tuner autotvm",
                   "use it with --tuner tessel");
  ExpectUsageError(tasks + "--budget 40 --allocation predicted --tuner tessel --min-gain 1",
                   "--min-gain");

  ExpectUsageError(tasks + "--budget 1", "cannot give each of the 2 tasks a measurement");
  ExpectUsageError(tasks + "--trials 4 --allocation gradient", "give --budget N");
  ExpectUsageError(tasks + "--budget 40 --allocation fair", "known: auto, equal");
  ExpectUsageError(tasks + "--budget 4 --trials 2", "give --trials N");
  ExpectUsageError("tune --model resnet18 --layer 2", "give --trials N");
}

// The committed prior (data/schedule_prior.jsonl.gz) warm-starts a task it holds no record of.
TEST_F(CliTest, TuneStartsFromTheCommittedPrior) {
  const std::string prior = std::string(TESSEL_SOURCE_DIR) + "/data/schedule_prior.jsonl.gz";
  const std::string task =
      "tune --workload conv2d:c=16,h=14,w=14,k=40,r=3,s=3,stride=1,pad=1 --trials 2 --threads 1 "
      "--min-repeat-ms 1 --repeats 1 --no-default --db prior.db ";
  const Outcome tuned = Run(task + "--tuner autotvm --prior " + prior + " --json");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  const nlohmann::json line = nlohmann::json::parse(tuned.out);
  EXPECT_GE(line["transfer_records"].get<int>(), 500);
  EXPECT_EQ(line["features"], "both");
  EXPECT_NE(tuned.err.find("--prior: base model from"), std::string::npos) << tuned.err;

  ExpectUsageError(task + "--tuner random --prior " + prior, "--prior warm-starts a cost model");
  ExpectUsageError(task + "--tuner autotvm --transfer --prior " + prior, "give one");
  ExpectUsageError(task + "--tuner autotvm --prior missing.jsonl", "cannot read missing.jsonl");
}

TEST_F(CliTest, TunesAndRunsAnOnnxModel) {
  OnnxModelBuilder m;
  m.Input("x", {1, 3, 10, 10});
  m.Weight("w", {8, 3, 3, 3}, std::vector<float>(216, 0.05f));
  m.Weight("b", {8}, std::vector<float>(8, 0.1f));
  OnnxModelBuilder::Ints(m.Node("Conv", "conv", {"x", "w", "b"}, "c"), "pads", {1, 1, 1, 1});
  m.Node("Relu", "relu", {"c"}, "r");
  m.Node("GlobalAveragePool", "gap", {"r"}, "g");
  m.Node("Flatten", "flat", {"g"}, "f");
  m.Weight("fw", {4, 8}, std::vector<float>(32, 0.2f));
  OnnxModelBuilder::Int(m.Node("Gemm", "fc", {"f", "fw"}, "y"), "transB", 1);
  m.Output("y");
  std::ofstream(dir_ / "tiny.onnx", std::ios::binary) << m.Bytes();

  const Outcome tuned = Run(
      "tune --onnx tiny.onnx --budget 6 --threads 1 --min-repeat-ms 1 --repeats 1 --db tiny.db");
  ASSERT_EQ(tuned.status, 0) << tuned.err;
  EXPECT_NE(tuned.out.find("tiny.1"), std::string::npos) << tuned.out;
  EXPECT_NE(tuned.out.find("tiny.2"), std::string::npos) << tuned.out;
  const Outcome outcome =
      Run("run --onnx tiny.onnx --db tiny.db --threads 1 --layout nchw --repeats 2 --json");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const nlohmann::json line = nlohmann::json::parse(outcome.out);
  EXPECT_EQ(line["kernels"], 2);
  EXPECT_EQ(line["tuned"], 2);
  EXPECT_LT(line["relative_error"].get<double>(), 1e-4);
  EXPECT_EQ(line["network_run"], 1);  // stored for the report
  const Outcome unrecorded =
      Run("run --onnx tiny.onnx --db tiny.db --threads 1 --repeats 1 --json --no-record");
  ASSERT_EQ(unrecorded.status, 0) << unrecorded.err;
  EXPECT_FALSE(nlohmann::json::parse(unrecorded.out).contains("network_run"));
  const Outcome without_db = Run("run --onnx tiny.onnx --db none.db --threads 1 --repeats 1");
  ASSERT_EQ(without_db.status, 0) << without_db.err;
  EXPECT_EQ(without_db.out.find("recorded as network run"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));
  ASSERT_EQ(Run("report --db tiny.db --out tiny.html").status, 0);
  const std::string report = ReadFile(dir_ / "tiny.html");
  EXPECT_NE(report.find("<section id=\"network-1\">"), std::string::npos);
  EXPECT_NE(report.find("<a href=\"#task-1\">tiny.1</a>"), std::string::npos);
  EXPECT_EQ(report.find("network-2"), std::string::npos);
  ExpectUsageError("tune --onnx tiny.onnx --layer 3 --trials 2", "unknown layer '3' of tiny.onnx");

  // A given input and another framework's output for it: zeros give the bias 0.1 in every
  // channel after the convolution, and 8 x 0.1 x 0.2 out of the classifier.
  const std::vector<float> zeros(300, 0.f), expected(4, 0.16f);
  std::ofstream(dir_ / "zeros.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(zeros.data()), 300 * sizeof(float));
  std::ofstream(dir_ / "expected.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(expected.data()), 4 * sizeof(float));
  const Outcome compared =
      Run("run --onnx tiny.onnx --db tiny.db --threads 1 --repeats 1 --json --input zeros.bin "
          "--compare expected.bin");
  ASSERT_EQ(compared.status, 0) << compared.err;
  EXPECT_LT(nlohmann::json::parse(compared.out)["compare_error"].get<double>(), 1e-5);
  EXPECT_EQ(nlohmann::json::parse(compared.out)["network_run"], 2);
  ExpectUsageError("run --onnx tiny.onnx --input expected.bin",
                   "must hold exactly 300 fp32 values");
}

}  // namespace
