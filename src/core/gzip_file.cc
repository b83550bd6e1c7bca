#include "core/gzip_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/error.h"

namespace tessel {

std::string ReadMaybeGzipped(const std::string& path, const std::string& what,
                             const std::string& advice) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    throw IoError("cannot read " + what + " (" + std::strerror(errno) + ")" + advice);
  std::string bytes;
  std::vector<char> chunk(1 << 20);
  int got = 0;
  while ((got = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0)
    bytes.append(chunk.data(), got);
  int code = Z_OK;
  const std::string message = gzerror(file, &code);
  gzclose(file);
  if (got < 0 || (code != Z_OK && code != Z_STREAM_END))
    throw IoError(what + " is corrupt or truncated (gzip: " + message + ")" + advice);
  return bytes;
}

}  // namespace tessel
