#include "records/records_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "core/error.h"

namespace tessel {
namespace {

// The file's bytes, gunzipped when it is gzip (zlib reads other files as they are).
std::string ReadMaybeGzipped(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    throw IoError("cannot read " + path + " (" + std::strerror(errno) +
                  "); give a file written by 'tessel export'");
  std::string text;
  std::vector<char> chunk(1 << 20);
  int got = 0;
  while ((got = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0)
    text.append(chunk.data(), got);
  int code = Z_OK;
  const std::string message = gzerror(file, &code);
  gzclose(file);
  if (got < 0 || (code != Z_OK && code != Z_STREAM_END))
    throw IoError(path + " is corrupt or truncated (gzip: " + message +
                  "); give a file written by 'tessel export'");
  return text;
}

}  // namespace

std::unique_ptr<RecordStore> LoadRecordsFile(const std::string& path) {
  std::istringstream in(ReadMaybeGzipped(path));
  auto store = std::make_unique<RecordStore>(":memory:");
  try {
    store->ImportJsonl(in);
  } catch (const Error& error) {
    throw Error(error.kind(), path + ": " + error.what());
  }
  return store;
}

}  // namespace tessel
