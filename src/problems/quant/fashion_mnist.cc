#include "problems/quant/fashion_mnist.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/fnv1a.h"
#include "core/gzip_file.h"

namespace tessel {
namespace {

namespace fs = std::filesystem;

constexpr const char* kWhatToDo =
    "install the Debian package dataset-fashion-mnist or pass --dataset DIR";
constexpr int kImageSide = 28;

std::string Hex(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::vector<uint8_t> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw IoError("cannot read Fashion-MNIST file " + path.string() + " (" + std::strerror(errno) +
                  "): " + kWhatToDo);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Writes `bytes` to a temporary file beside `path`, then renames it, so that a reader never
// sees half a file and two processes filling the cache at once do no harm.
void WriteAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path temporary = path.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
      throw IoError("cannot write the cache file " + temporary.string() + " (" +
                    std::strerror(errno) + "): choose a writable cache directory");
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error)
    throw IoError("cannot write the cache file " + path.string() + " (" + error.message() +
                  "): choose a writable cache directory");
}

// What identifies a gzipped source: its path, size and modification time. A cached copy made
// from another source is made again.
std::string SourceStamp(const fs::path& gz_path) {
  std::error_code error;
  const auto size = fs::file_size(gz_path, error);
  const auto modified = fs::last_write_time(gz_path, error).time_since_epoch().count();
  std::ostringstream stamp;
  stamp << fs::absolute(gz_path).string() << ' ' << size << ' ' << modified << '\n';
  return stamp.str();
}

// The contents of `name` (an IDX file) from `dataset_dir`: unpacked from name.gz through the
// cache, or read as it is when only the unpacked file is there.
std::vector<uint8_t> ReadDatasetFile(const fs::path& dataset_dir, const fs::path& cache_dir,
                                     const std::string& name) {
  const fs::path gz_path = dataset_dir / (name + ".gz");
  if (!fs::exists(gz_path)) {
    const fs::path plain_path = dataset_dir / name;
    if (fs::exists(plain_path)) return ReadWholeFile(plain_path);
    throw IoError("Fashion-MNIST file " + gz_path.string() + " not found: " + kWhatToDo);
  }
  const fs::path cached = cache_dir / name;
  const fs::path stamp_path = cache_dir / (name + ".source");
  const std::string stamp = SourceStamp(gz_path);
  if (fs::exists(cached) && fs::exists(stamp_path)) {
    const std::vector<uint8_t> cached_stamp = ReadWholeFile(stamp_path);
    if (std::string(cached_stamp.begin(), cached_stamp.end()) == stamp)
      return ReadWholeFile(cached);
  }
  const std::string bytes = ReadMaybeGzipped(
      gz_path.string(), "Fashion-MNIST file " + gz_path.string(), std::string(": ") + kWhatToDo);
  std::error_code error;
  fs::create_directories(cache_dir, error);
  if (error)
    throw IoError("cannot create the cache directory " + cache_dir.string() + " (" +
                  error.message() + "): choose a writable cache directory");
  WriteAtomically(cached, bytes);
  WriteAtomically(stamp_path, stamp);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

uint32_t BigEndian32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

ImageSet Slice(const ImageSet& all, int first, int count) {
  ImageSet part;
  part.count = count;
  part.rows = all.rows;
  part.cols = all.cols;
  const size_t image_size = static_cast<size_t>(all.rows) * all.cols;
  part.pixels.assign(all.pixels.begin() + static_cast<ptrdiff_t>(first * image_size),
                     all.pixels.begin() + static_cast<ptrdiff_t>((first + count) * image_size));
  part.labels.assign(all.labels.begin() + first, all.labels.begin() + first + count);
  return part;
}

// One split's images and labels, checked against each other and against Fashion-MNIST's shape.
ImageSet LoadSplit(const fs::path& dataset_dir, const fs::path& cache_dir,
                   const std::string& prefix, int expected_count, uint64_t& digest) {
  const std::string images_name = prefix + "-images-idx3-ubyte";
  const std::string labels_name = prefix + "-labels-idx1-ubyte";
  const std::vector<uint8_t> image_bytes = ReadDatasetFile(dataset_dir, cache_dir, images_name);
  const std::vector<uint8_t> label_bytes = ReadDatasetFile(dataset_dir, cache_dir, labels_name);
  digest = Fnv1a(image_bytes.data(), image_bytes.size(), digest);
  digest = Fnv1a(label_bytes.data(), label_bytes.size(), digest);
  const std::string where = (dataset_dir / images_name).string();
  internal::IdxArray images = internal::ParseIdx(image_bytes, 3, where);
  internal::IdxArray labels =
      internal::ParseIdx(label_bytes, 1, (dataset_dir / labels_name).string());
  if (images.dims[0] != expected_count || images.dims[1] != kImageSide ||
      images.dims[2] != kImageSide || labels.dims[0] != expected_count)
    throw IoError("Fashion-MNIST files " + where + " and its labels do not hold " +
                  std::to_string(expected_count) + " 28x28 images with labels: " + kWhatToDo);
  for (uint8_t label : labels.values)
    if (label >= kFashionMnistClasses)
      throw IoError("Fashion-MNIST labels of " + where + " hold the class " +
                    std::to_string(label) + " (0-9 expected): " + kWhatToDo);
  ImageSet set;
  set.count = expected_count;
  set.pixels = std::move(images.values);
  set.labels = std::move(labels.values);
  return set;
}

}  // namespace

namespace internal {

IdxArray ParseIdx(const std::vector<uint8_t>& bytes, int expected_dims, const std::string& path) {
  // The magic number: two zero bytes, the element type (0x08, unsigned byte), the dimensions.
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 ||
      bytes[3] != expected_dims) {
    char magic[16] = "(too short)";
    if (bytes.size() >= 4) std::snprintf(magic, sizeof(magic), "0x%08x", BigEndian32(bytes.data()));
    char expected[16];
    std::snprintf(expected, sizeof(expected), "0x%08x", 0x800 + expected_dims);
    throw IoError("Fashion-MNIST file " + path + " is not an IDX file of " +
                  std::to_string(expected_dims) + " dimension(s) (magic number " + magic +
                  ", expected " + expected + "): " + kWhatToDo);
  }
  const size_t header = 4 + 4 * static_cast<size_t>(expected_dims);
  if (bytes.size() < header)
    throw IoError("Fashion-MNIST file " + path + " is truncated (" + std::to_string(bytes.size()) +
                  " bytes, shorter than its header): " + kWhatToDo);
  IdxArray array;
  size_t elements = 1;
  for (int d = 0; d < expected_dims; ++d) {
    const uint32_t size = BigEndian32(bytes.data() + 4 + 4 * d);
    if (size > (1u << 28))
      throw IoError("Fashion-MNIST file " + path + " is corrupt (dimension of " +
                    std::to_string(size) + "): " + kWhatToDo);
    array.dims.push_back(static_cast<int>(size));
    elements *= size;
  }
  if (bytes.size() != header + elements)
    throw IoError("Fashion-MNIST file " + path + " is " +
                  (bytes.size() < header + elements ? "truncated" : "corrupt") + " (" +
                  std::to_string(bytes.size()) + " bytes, its header says " +
                  std::to_string(header + elements) + "): " + kWhatToDo);
  array.values.assign(bytes.begin() + static_cast<ptrdiff_t>(header), bytes.end());
  return array;
}

FashionMnist LoadFashionMnist(const std::string& dataset_dir, const std::string& cache_dir,
                              const FashionMnistSizes& sizes) {
  TESSEL_CHECK(sizes.validation > 0 && sizes.validation < sizes.train);
  const fs::path cache = fs::path(cache_dir) / "fashion-mnist";
  uint64_t digest = kFnv1aOffset;
  FashionMnist data;
  const ImageSet all_train = LoadSplit(dataset_dir, cache, "train", sizes.train, digest);
  data.test = LoadSplit(dataset_dir, cache, "t10k", sizes.test, digest);
  const int kept = sizes.train - sizes.validation;
  data.train = Slice(all_train, 0, kept);
  data.validation = Slice(all_train, kept, sizes.validation);
  data.digest = Hex(digest);
  return data;
}

}  // namespace internal

FashionMnist LoadFashionMnist(const std::string& dataset_dir, const std::string& cache_dir) {
  return internal::LoadFashionMnist(dataset_dir, cache_dir, internal::FashionMnistSizes());
}

std::string DefaultDatasetDir() { return "/usr/share/datasets/fashion-mnist"; }

std::string DefaultCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return (fs::path(xdg) / "tessel").string();
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return (fs::path(home) / ".cache" / "tessel").string();
  return ".tessel-cache";
}

}  // namespace tessel
