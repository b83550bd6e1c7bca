// Fashion-MNIST (Xiao, Rasul and Vollgraf, "Fashion-MNIST: a Novel Image Dataset for
// Benchmarking Machine Learning Algorithms"): 70,000 28x28 grey images of ten kinds of clothing,
// as the Debian package dataset-fashion-mnist installs them (four gzipped IDX files). The
// quantization problem trains its networks on it and measures their accuracy on it
// (docs/quant_model.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

// Images and their labels, in file order: image i is pixels[i * rows * cols, ...), row-major,
// 0 (background) to 255; labels[i] is its class, 0..9.
struct ImageSet {
  int count = 0, rows = 28, cols = 28;
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> labels;
};

// The three splits. The 60,000 training images are cut in two, once and for all: the last
// kValidationImages are the validation split a search measures on, the first 55,000 the
// training split; the 10,000 t10k images are the test split, which a search never sees.
struct FashionMnist {
  ImageSet train, validation, test;
  std::string digest;  // 16 hex digits: a hash of the four files' contents, for cache keys
};

inline constexpr int kValidationImages = 5000;
inline constexpr int kFashionMnistClasses = 10;

// Reads train-{images-idx3,labels-idx1}-ubyte and t10k-... from `dataset_dir`, gzipped (.gz)
// or not. Gzipped files are unpacked once into `cache_dir`/fashion-mnist/ and read from there
// afterwards. Throws tessel::Error, one line saying what is wrong and what to do, for a missing,
// unreadable, corrupt or truncated file.
FashionMnist LoadFashionMnist(const std::string& dataset_dir, const std::string& cache_dir);

// Where the Debian package installs the files: /usr/share/datasets/fashion-mnist.
std::string DefaultDatasetDir();
// $XDG_CACHE_HOME/tessel, else $HOME/.cache/tessel, else .tessel-cache in the working directory.
std::string DefaultCacheDir();

namespace internal {

// One IDX file's contents (http://yann.lecun.com/exdb/mnist/, "file formats"): unsigned bytes,
// with one dimension (labels) or three (images). `path` names the file in error messages.
struct IdxArray {
  std::vector<int> dims;
  std::vector<uint8_t> values;
};
IdxArray ParseIdx(const std::vector<uint8_t>& bytes, int expected_dims, const std::string& path);

// LoadFashionMnist with other image counts, so that tests can write small files.
struct FashionMnistSizes {
  int train = 60000, test = 10000, validation = kValidationImages;
};
FashionMnist LoadFashionMnist(const std::string& dataset_dir, const std::string& cache_dir,
                              const FashionMnistSizes& sizes);

}  // namespace internal
}  // namespace tessel
