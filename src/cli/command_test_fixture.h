// The fixture of the tests that run the `tessel` command as a child process, each in a fresh
// directory: its output, exit status, and the one-line errors of bad input.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tessel::cli_testing {

namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tessel_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `env` holds NAME=value assignments for the command's environment.
  Outcome Run(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command = "cd '" + dir_.string() + "' && env -u TESSEL_DB " + env + " " +
                                TESSEL_BINARY + " " + args + " >'" + out.string() + "' 2>'" +
                                err.string() + "' </dev/null";
    const int raw = std::system(command.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, ReadFile(out), ReadFile(err)};
  }

  // The error path: exit 2 and exactly one line on stderr that says `needle`.
  void ExpectUsageError(const std::string& args, const std::string& needle) {
    const Outcome outcome = Run(args);
    EXPECT_EQ(outcome.status, 2) << args << "\n" << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_NE(outcome.err.find(needle), std::string::npos) << outcome.err;
  }

  fs::path dir_;
};

}  // namespace tessel::cli_testing
