// For the tests of bad input: what a tessel::ConfigError says.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.h"

namespace tessel::noc {

// The message of the error `run` throws, checked to be a one-line ConfigError; "" when it
// throws none.
inline std::string ConfigErrorMessage(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  return "";
}

inline bool Says(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

}  // namespace tessel::noc
