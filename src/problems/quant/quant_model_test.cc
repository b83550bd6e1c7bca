#include "problems/quant/quant_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/quant/dorefa.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

std::set<float> DistinctValues(const torch::Tensor& tensor) {
  const torch::Tensor flat = tensor.detach().contiguous().flatten();
  return std::set<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

TEST(DoReFa, KBitWeightsTakeAtMostTwoToTheKValuesInTheUnitRange) {
  torch::manual_seed(3);
  const torch::Tensor weights = torch::randn({50, 20, 5, 5}) * 0.1;
  for (int bits = 1; bits <= 8; ++bits) {
    const torch::Tensor quantized =
        DoReFaWeights(weights, bits, /*restore_scale=*/false, WeightScale::kMaxAbs);
    EXPECT_LE(DistinctValues(quantized).size(), size_t{1} << bits) << bits;
    EXPECT_LE(quantized.abs().max().item<float>(), 1.0f) << bits;
    EXPECT_EQ(quantized.abs().max().item<float>(), 1.0f) << bits;  // the largest weight's level
  }
  EXPECT_EQ(DistinctValues(DoReFaWeights(weights, 1, false, WeightScale::kMaxAbs)),
            (std::set<float>{-1.0f, 1.0f}));
}

TEST(DoReFa, RestoredScaleMatchesTheLayersWeights) {
  torch::manual_seed(4);
  const torch::Tensor weights = torch::randn({500, 800}) * 0.05;
  const float largest = weights.abs().max().item<float>();
  const torch::Tensor by_max = DoReFaWeights(weights, 4, true, WeightScale::kMaxAbs);
  EXPECT_FLOAT_EQ(by_max.abs().max().item<float>(), largest);
  EXPECT_LE(DistinctValues(by_max).size(), 16u);
  const torch::Tensor by_mean = DoReFaWeights(weights, 4, true, WeightScale::kMeanAbs);
  EXPECT_FLOAT_EQ(by_mean.abs().max().item<float>(), weights.abs().mean().item<float>());
  // At 8 bits the restored weights are close to the float ones (tanh is nearly linear here).
  const torch::Tensor fine = DoReFaWeights(weights, 8, true, WeightScale::kMaxAbs);
  EXPECT_LT((fine - weights).abs().max().item<float>(), 0.02f * largest);
}

TEST(DoReFa, ThirtyTwoBitsIsTheFloatPath) {
  const torch::Tensor weights = torch::randn({10, 5});
  EXPECT_TRUE(DoReFaWeights(weights, 32, true, WeightScale::kMaxAbs).is_same(weights));
  EXPECT_TRUE(DoReFaWeights(weights, 40, false, WeightScale::kMaxAbs).is_same(weights));
  EXPECT_TRUE(DoReFaActivations(weights, 0).is_same(weights));
}

TEST(DoReFa, GradientsGoStraightThrough) {
  torch::manual_seed(5);
  const torch::Tensor weights = (torch::randn({20, 10}) * 0.1).requires_grad_();
  DoReFaWeights(weights, 2, true, WeightScale::kMaxAbs).sum().backward();
  EXPECT_GT(weights.grad().abs().sum().item<float>(), 0.0f);  // round() alone would give zeros
}

TEST(DoReFa, ActivationsAreClippedAndQuantized) {
  const torch::Tensor x = torch::linspace(-1, 2, 301);
  const torch::Tensor quantized = DoReFaActivations(x, 2);
  EXPECT_EQ(DistinctValues(quantized), (std::set<float>{0.0f, 1.0f / 3, 2.0f / 3, 1.0f}));
}

// Real Fashion-MNIST, loaded once for the suite, with 500-image validation and test splits so
// that each evaluation stays short; trained models go to a fresh cache removed afterwards.
class QuantModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::random_device device;
    dir_ =
        new fs::path(fs::temp_directory_path() / ("tessel_quant_model_" + std::to_string(getpid()) +
                                                  "_" + std::to_string(device())));
    try {
      data_ = new FashionMnist(LoadFashionMnist(DefaultDatasetDir(), (*dir_ / "cache").string()));
    } catch (const Error& error) {
      load_error_ = new std::string(error.what());
      return;
    }
    Shorten(data_->validation, 500);
    Shorten(data_->test, 500);
    data_->digest += "-short";
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete data_;
    delete load_error_;
    data_ = nullptr;
    load_error_ = nullptr;
  }
  void SetUp() override {
    if (load_error_ != nullptr) FAIL() << "Fashion-MNIST is needed: " << *load_error_;
  }

  static void Shorten(ImageSet& set, int count) {
    set.count = count;
    set.pixels.resize(static_cast<size_t>(count) * set.rows * set.cols);
    set.labels.resize(static_cast<size_t>(count));
  }

  // lenet5 after one epoch over 512 training images: seconds, not minutes.
  static TrainSettings Tiny() {
    TrainSettings settings;
    settings.epochs = 1;
    settings.train_subset = 512;
    settings.seed = 7;
    return settings;
  }

  static std::string Cache(const std::string& name) { return (*dir_ / name).string(); }

  static fs::path* dir_;
  static FashionMnist* data_;
  static std::string* load_error_;
};

fs::path* QuantModelTest::dir_ = nullptr;
FashionMnist* QuantModelTest::data_ = nullptr;
std::string* QuantModelTest::load_error_ = nullptr;

TEST_F(QuantModelTest, TrainingIsDeterministicAndCached) {
  const QuantNetDefinition& lenet5 = FindQuantNet("lenet5");
  std::vector<std::string> lines;
  const auto log = [&lines](const std::string& line) { lines.push_back(line); };
  const auto first = TrainedNet::LoadOrTrain(lenet5, *data_, Tiny(), Cache("a"), log);
  EXPECT_FALSE(first->loaded_from_cache());
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[0].find("lenet5: epoch 1/1, loss "), std::string::npos) << lines[0];
  EXPECT_TRUE(fs::exists(first->cache_path()));

  // The same settings in another cache: trained again, to the same bits.
  const auto second = TrainedNet::LoadOrTrain(lenet5, *data_, Tiny(), Cache("b"));
  EXPECT_FALSE(second->loaded_from_cache());
  EXPECT_EQ(second->cache_key(), first->cache_key());
  EXPECT_EQ(second->weight_std(), first->weight_std());
  const QuantSettings post_training;
  const double accuracy = first->Accuracy(Split::kValidation, {}, post_training, 1);
  EXPECT_GT(accuracy, 0.3);  // far above chance after 8 steps
  EXPECT_EQ(second->Accuracy(Split::kValidation, {}, post_training, 1), accuracy);

  // The first cache again: loaded, not trained.
  lines.clear();
  const auto loaded = TrainedNet::LoadOrTrain(lenet5, *data_, Tiny(), Cache("a"), log);
  EXPECT_TRUE(loaded->loaded_from_cache());
  EXPECT_EQ(loaded->train_seconds(), 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("loaded the trained model"), std::string::npos) << lines[0];
  EXPECT_EQ(loaded->Accuracy(Split::kValidation, {}, post_training, 1), accuracy);

  // Another seed is another model.
  TrainSettings other = Tiny();
  other.seed = 8;
  const auto reseeded = TrainedNet::LoadOrTrain(lenet5, *data_, other, Cache("a"));
  EXPECT_NE(reseeded->cache_key(), first->cache_key());
  EXPECT_NE(reseeded->weight_std(), first->weight_std());
}

TEST_F(QuantModelTest, DamagedCacheFileIsTrainedAgain) {
  const QuantNetDefinition& lenet5 = FindQuantNet("lenet5");
  const auto trained = TrainedNet::LoadOrTrain(lenet5, *data_, Tiny(), Cache("damaged"));
  const std::string path = trained->cache_path();
  fs::resize_file(path, fs::file_size(path) / 2);
  const auto again = TrainedNet::LoadOrTrain(lenet5, *data_, Tiny(), Cache("damaged"));
  EXPECT_FALSE(again->loaded_from_cache());
  EXPECT_EQ(again->weight_std(), trained->weight_std());
  EXPECT_TRUE(
      TrainedNet::LoadOrTrain(lenet5, *data_, Tiny(), Cache("damaged"))->loaded_from_cache());
}

TEST_F(QuantModelTest, AccuracyLeavesTheTrainedWeightsAlone) {
  const auto net = TrainedNet::LoadOrTrain(FindQuantNet("lenet5"), *data_, Tiny(), Cache("a"));
  const QuantSettings post_training;
  const double float_accuracy = net->Accuracy(Split::kValidation, {}, post_training, 1);
  const std::vector<double> float_std = net->weight_std();
  EXPECT_EQ(net->Accuracy(Split::kValidation, {32, 32, 32, 32}, post_training, 1), float_accuracy);

  QuantSettings tuned;
  tuned.fine_tune.epochs = 1;
  tuned.fine_tune.subset = 256;
  const std::vector<int> two_bits = {2, 2, 2, 2};
  const double tuned_accuracy = net->Accuracy(Split::kValidation, two_bits, tuned, 11);
  EXPECT_EQ(net->Accuracy(Split::kValidation, two_bits, tuned, 11), tuned_accuracy);
  EXPECT_EQ(net->weight_std(), float_std);
  EXPECT_EQ(net->Accuracy(Split::kValidation, {}, post_training, 1), float_accuracy);

  const double test_accuracy = net->Accuracy(Split::kTest, {}, post_training, 1);
  EXPECT_GT(test_accuracy, 0.3);
  EXPECT_LE(test_accuracy, 1.0);
}

TEST_F(QuantModelTest, RefusesMalformedBitWidths) {
  const auto net = TrainedNet::LoadOrTrain(FindQuantNet("lenet5"), *data_, Tiny(), Cache("a"));
  const QuantSettings settings;
  EXPECT_THROW(net->Accuracy(Split::kValidation, {8, 8}, settings, 1), Error);
  EXPECT_THROW(net->Accuracy(Split::kValidation, {8, 0, 8, 8}, settings, 1), Error);
  QuantSettings broken;
  broken.fine_tune.epochs = 1;
  broken.fine_tune.batch_size = 0;
  EXPECT_THROW(net->Accuracy(Split::kValidation, {}, broken, 1), Error);
}

TEST_F(QuantModelTest, UnwritableCacheFailsBeforeTraining) {
  const fs::path blocker = *dir_ / "not-a-directory";
  std::ofstream(blocker) << "a file where the cache directory would be";
  int lines = 0;
  try {
    TrainedNet::LoadOrTrain(FindQuantNet("lenet5"), *data_, Tiny(), blocker.string(),
                            [&lines](const std::string&) { ++lines; });
    FAIL() << "trained into a file";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot create the model cache directory"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(lines, 0);  // no epoch was trained
}

}  // namespace
}  // namespace tessel
