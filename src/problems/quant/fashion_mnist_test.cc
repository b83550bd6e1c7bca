#include "problems/quant/fashion_mnist.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

// The bytes of an IDX file of unsigned bytes: magic, big-endian dimensions, values.
std::vector<uint8_t> IdxBytes(const std::vector<int>& dims, const std::vector<uint8_t>& values) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (int dim : dims)
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<uint8_t>(dim >> shift));
  bytes.insert(bytes.end(), values.begin(), values.end());
  return bytes;
}

void WriteGzip(const fs::path& path, const std::vector<uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb1");
  ASSERT_NE(file, nullptr) << path;
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

// Image i's first pixel is i % 251 and its label i % 10, so that the splits can be told apart.
void WriteSyntheticSplit(const fs::path& dir, const std::string& prefix, int count) {
  std::vector<uint8_t> pixels(static_cast<size_t>(count) * 28 * 28, 0);
  std::vector<uint8_t> labels(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    pixels[static_cast<size_t>(i) * 28 * 28] = static_cast<uint8_t>(i % 251);
    labels[static_cast<size_t>(i)] = static_cast<uint8_t>(i % 10);
  }
  WriteGzip(dir / (prefix + "-images-idx3-ubyte.gz"), IdxBytes({count, 28, 28}, pixels));
  WriteGzip(dir / (prefix + "-labels-idx1-ubyte.gz"), IdxBytes({count}, labels));
}

constexpr internal::FashionMnistSizes kSmall = {600, 100, 50};

// A fresh directory under /tmp per test, removed afterwards.
class FashionMnistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device device;
    dir_ = fs::temp_directory_path() /
           ("tessel_fashion_" + std::to_string(getpid()) + "_" + std::to_string(device()));
    fs::create_directories(dir_ / "data");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path data() const { return dir_ / "data"; }
  fs::path cache() const { return dir_ / "cache"; }

  // Small splits: 600 training images (the last 50 for validation), 100 test images.
  FashionMnist Load(const fs::path& cache_dir) const {
    return internal::LoadFashionMnist(data().string(), cache_dir.string(), kSmall);
  }

  // The error loading throws, or "" when it loads.
  std::string LoadError() const {
    try {
      Load(cache());
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST(FashionMnistIdx, ParsesImagesAndLabels) {
  const internal::IdxArray images =
      internal::ParseIdx(IdxBytes({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), 3, "x");
  EXPECT_EQ(images.dims, (std::vector<int>{2, 2, 3}));
  EXPECT_EQ(images.values.size(), 12u);
  EXPECT_EQ(images.values.back(), 12);
  const internal::IdxArray labels = internal::ParseIdx(IdxBytes({3}, {7, 8, 9}), 1, "y");
  EXPECT_EQ(labels.dims, (std::vector<int>{3}));
  EXPECT_EQ(labels.values, (std::vector<uint8_t>{7, 8, 9}));
}

TEST(FashionMnistIdx, RefusesBadMagicTruncatedAndTrailingBytes) {
  std::vector<uint8_t> bad_magic = IdxBytes({3}, {1, 2, 3});
  bad_magic[2] = 0x0d;  // float elements
  EXPECT_THROW(internal::ParseIdx(bad_magic, 1, "labels"), Error);
  // Labels read as images: the dimension count in the magic number differs.
  EXPECT_THROW(internal::ParseIdx(IdxBytes({3}, {1, 2, 3}), 3, "images"), Error);
  EXPECT_THROW(internal::ParseIdx({0, 0}, 1, "tiny"), Error);
  std::vector<uint8_t> truncated = IdxBytes({4}, {1, 2, 3, 4});
  truncated.pop_back();
  try {
    internal::ParseIdx(truncated, 1, "some/labels");
    FAIL() << "truncated file accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("some/labels is truncated"), std::string::npos) << message;
    EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  std::vector<uint8_t> trailing = IdxBytes({2}, {1, 2});
  trailing.push_back(0);
  EXPECT_THROW(internal::ParseIdx(trailing, 1, "trailing"), Error);
}

TEST_F(FashionMnistTest, MissingFileSaysWhatToInstall) {
  std::string message;
  try {
    LoadFashionMnist(data().string(), cache().string());
  } catch (const Error& error) {
    message = error.what();
  }
  EXPECT_NE(message.find("train-images-idx3-ubyte.gz not found"), std::string::npos) << message;
  EXPECT_NE(message.find("install the Debian package dataset-fashion-mnist"), std::string::npos)
      << message;
}

TEST_F(FashionMnistTest, LoadsSplitsCachesAndHashes) {
  WriteSyntheticSplit(data(), "train", 600);
  WriteSyntheticSplit(data(), "t10k", 100);
  const FashionMnist first = Load(cache());
  EXPECT_EQ(first.train.count, 550);
  EXPECT_EQ(first.validation.count, 50);
  EXPECT_EQ(first.test.count, 100);
  EXPECT_EQ(first.train.pixels.size(), 550u * 28 * 28);
  EXPECT_EQ(first.validation.labels.size(), 50u);
  // The validation split is the last training images, in file order.
  EXPECT_EQ(first.validation.pixels[0], 550 % 251);
  EXPECT_EQ(first.validation.labels[1], 551 % 10);
  EXPECT_EQ(first.test.labels[99], 99 % 10);
  EXPECT_EQ(first.digest.size(), 16u);
  const fs::path copy = cache() / "fashion-mnist" / "train-images-idx3-ubyte";
  EXPECT_TRUE(fs::exists(copy));

  // The second load reads the unpacked copy: a byte changed there shows.
  {
    std::fstream file(copy, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(16 + std::streamoff{550} * 28 * 28);
    file.put(static_cast<char>(250));
  }
  const FashionMnist second = Load(cache());
  EXPECT_EQ(second.validation.pixels[0], 250);
  EXPECT_NE(second.digest, first.digest);

  // A rewritten source is unpacked again.
  WriteSyntheticSplit(data(), "train", 600);
  const FashionMnist third = Load(cache());
  EXPECT_EQ(third.validation.pixels[0], 550 % 251);
  EXPECT_EQ(third.digest, first.digest);
}

TEST_F(FashionMnistTest, ReadsUnpackedFilesToo) {
  WriteSyntheticSplit(data(), "train", 600);
  WriteSyntheticSplit(data(), "t10k", 100);
  const FashionMnist gzipped = Load(cache());
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    fs::copy_file(cache() / "fashion-mnist" / name, data() / name);
    fs::remove(data() / (std::string(name) + ".gz"));
  }
  const FashionMnist plain = Load(dir_ / "other-cache");
  EXPECT_EQ(plain.digest, gzipped.digest);
  EXPECT_FALSE(fs::exists(dir_ / "other-cache"));  // nothing to unpack, nothing cached
}

TEST_F(FashionMnistTest, RefusesWrongShapeBadMagicAndBrokenGzip) {
  WriteSyntheticSplit(data(), "train", 60);  // too few images
  WriteSyntheticSplit(data(), "t10k", 100);
  EXPECT_NE(LoadError().find("do not hold 600 28x28 images"), std::string::npos) << LoadError();

  WriteSyntheticSplit(data(), "train", 600);
  WriteGzip(data() / "t10k-labels-idx1-ubyte.gz", IdxBytes({100, 1, 1}, std::vector<uint8_t>(100)));
  EXPECT_NE(LoadError().find("magic number 0x00000803, expected 0x00000801"), std::string::npos)
      << LoadError();

  // A gzip stream cut short.
  WriteSyntheticSplit(data(), "t10k", 100);
  const fs::path images = data() / "t10k-images-idx3-ubyte.gz";
  fs::resize_file(images, fs::file_size(images) / 2);
  const std::string message = LoadError();
  EXPECT_NE(message.find("t10k-images-idx3-ubyte.gz is corrupt or truncated"), std::string::npos)
      << message;
}

// The real files, as the Debian package installs them (CI installs it).
TEST_F(FashionMnistTest, DebianPackageLoads) {
  FashionMnist real;
  try {
    real = LoadFashionMnist(DefaultDatasetDir(), cache().string());
  } catch (const Error& error) {
    FAIL() << "Fashion-MNIST is needed: " << error.what();
  }
  EXPECT_EQ(real.train.count, 55000);
  EXPECT_EQ(real.test.count, 10000);
  // Fashion-MNIST's files have not changed since 2017; a new digest means other data.
  EXPECT_EQ(real.digest, "d2b704f434014dc0");
  std::array<int, kFashionMnistClasses> per_class{};
  for (uint8_t label : real.validation.labels) ++per_class[label];
  for (int count : per_class) {
    EXPECT_GT(count, 400);  // the validation split holds every class about equally
    EXPECT_LT(count, 600);
  }
}

TEST(FashionMnistDefaults, CacheDirFollowsXdg) {
  const char* saved = std::getenv("XDG_CACHE_HOME");
  const std::string restore = saved ? saved : "";
  setenv("XDG_CACHE_HOME", "/some/cache", 1);
  EXPECT_EQ(DefaultCacheDir(), "/some/cache/tessel");
  if (saved) {
    setenv("XDG_CACHE_HOME", restore.c_str(), 1);
  } else {
    unsetenv("XDG_CACHE_HOME");
  }
  EXPECT_EQ(DefaultDatasetDir(), "/usr/share/datasets/fashion-mnist");
}

}  // namespace
}  // namespace tessel
