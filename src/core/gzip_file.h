// Reading a whole file that may be gzipped: zlib unpacks gzip and reads other files as they are.
#pragma once

#include <string>

namespace tessel {

// The file's bytes, unpacked. Throws IoError "cannot read <what> (<errno text>)<advice>" when
// it cannot be opened, and "<what> is corrupt or truncated (gzip: <zlib's text>)<advice>" when
// its gzip stream breaks off; `what` names the file, `advice` says what to do.
std::string ReadMaybeGzipped(const std::string& path, const std::string& what,
                             const std::string& advice);

}  // namespace tessel
