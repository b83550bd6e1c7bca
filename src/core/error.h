// Tessel's three error channels (docs/architecture.md, "Habits"):
//   1. TESSEL_CHECK(cond) << "why" aborts on a programming bug; never caught.
//   2. A failed measurement is a value (Evaluation::status), not an exception.
//   3. Bad user input, I/O, SQLite or backend errors throw tessel::Error, which main()
//      turns into one line on stderr and exit status 2.
#pragma once

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tessel {

enum class ErrorKind { kConfig, kIo, kDb, kBackend };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Shorthands for the common kinds, so call sites read as sentences.
inline Error ConfigError(const std::string& message) { return Error(ErrorKind::kConfig, message); }
inline Error IoError(const std::string& message) { return Error(ErrorKind::kIo, message); }
inline Error DbError(const std::string& message) { return Error(ErrorKind::kDb, message); }

namespace internal {

// Collects the streamed message and aborts when the failed check's statement ends.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    stream_ << file << ":" << line << ": check failed: " << condition << " ";
  }
  [[noreturn]] ~CheckFailure() {
    std::cerr << stream_.str() << std::endl;
    std::abort();
  }
  template <typename T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace internal
}  // namespace tessel

#define TESSEL_CHECK(condition) \
  if (condition) {              \
  } else                        \
    ::tessel::internal::CheckFailure(__FILE__, __LINE__, #condition)
