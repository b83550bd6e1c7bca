// `tessel tune --progress`: live bars under a pseudo-terminal, plain lines in files and pipes.
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/command_test_fixture.h"

namespace {

using tessel::cli_testing::Outcome;

class ProgressCliTest : public tessel::cli_testing::CommandTest {
 protected:
  void SetUp() override {
    CommandTest::SetUp();
    std::ofstream(dir_ / "table.csv") << "tile,mode,time_ms\n"
                                         "1,a,5.0\n2,a,3.0\n4,a,4.0\n1,b,nan\n2,b,\n4,b,1.5\n"
                                         "8,a,2.5\n";
  }

  // Runs `tessel args` on a 100 x 30 pseudo-terminal: its status and everything it showed.
  Outcome RunOnTerminal(const std::string& args) {
    std::vector<std::string> words = {TESSEL_BINARY};
    std::istringstream split(args);
    for (std::string word; split >> word;) words.push_back(word);
    winsize size{};
    size.ws_row = 30;
    size.ws_col = 100;
    int master = -1;
    const pid_t child = forkpty(&master, nullptr, nullptr, &size);
    if (child < 0) return {-1, "", "forkpty failed"};
    if (child == 0) {
      std::vector<char*> argv;
      for (std::string& word : words) argv.push_back(word.data());
      argv.push_back(nullptr);
      if (chdir(dir_.c_str()) != 0) _exit(126);
      setenv("TERM", "xterm", 1);
      unsetenv("TESSEL_DB");
      execv(argv[0], argv.data());
      _exit(127);
    }
    std::string shown;
    char buffer[4096];
    pollfd ready{master, POLLIN, 0};
    // Until the terminal closes (EIO once the command is gone), a minute at most.
    while (poll(&ready, 1, 60000) > 0) {
      const ssize_t got = read(master, buffer, sizeof(buffer));
      if (got <= 0) break;
      shown.append(buffer, got);
    }
    close(master);
    int raw = 0;
    waitpid(child, &raw, 0);
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, shown, ""};
  }
};

TEST_F(ProgressCliTest, BarsOnATerminal) {
  const Outcome outcome = RunOnTerminal("tune --space table.csv --tuner random --trials 4");
  const std::string& shown = outcome.out;
  ASSERT_EQ(outcome.status, 0) << shown;
  // Drawn, then redrawn in place: back up over the display and erase it.
  EXPECT_NE(shown.find("A\033[J"), std::string::npos) << shown;
  const size_t last = shown.rfind("\033[J");
  ASSERT_NE(last, std::string::npos) << shown;
  // The final state stays: both bars full, each on a line of its own, then the report.
  const std::string final_frame = shown.substr(last + 3);
  EXPECT_NE(final_frame.find("4/4 100%"), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("\nall "), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("100%  best "), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("\ntask "), std::string::npos) << final_frame;
  EXPECT_EQ(final_frame.find('\033'), std::string::npos) << final_frame;
  EXPECT_EQ(shown.find("\033[?25l"), std::string::npos) << "the cursor is never hidden";
  // No line of it is as wide as the terminal, so none wrapped.
  std::istringstream lines(final_frame);
  for (std::string line; std::getline(lines, line);) EXPECT_LT(line.size(), 101u) << line;
}

TEST_F(ProgressCliTest, LinesOnATerminalWhenAsked) {
  const Outcome outcome =
      RunOnTerminal("tune --space table.csv --tuner random --trials 4 --progress lines");
  ASSERT_EQ(outcome.status, 0) << outcome.out;
  EXPECT_EQ(outcome.out.find('\033'), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("] 4/4 trials, best "), std::string::npos) << outcome.out;
}

TEST_F(ProgressCliTest, PlainLinesWithoutATerminal) {
  const Outcome outcome = Run("tune --space table.csv --tuner random --trials 4");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_EQ(outcome.err.find('\033'), std::string::npos) << outcome.err;
  EXPECT_EQ(outcome.err.find('\r'), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find(" ms, ETA 0m00s\n"), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("[all] 4/4 measurements (100%), best "), std::string::npos)
      << outcome.err;
  // --progress none: nothing at all; bar forces the live display even into a file.
  const Outcome quiet = Run("tune --space table.csv --tuner random --trials 4 --progress none");
  ASSERT_EQ(quiet.status, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  const Outcome bar = Run("tune --space table.csv --tuner random --trials 4 --progress bar");
  ASSERT_EQ(bar.status, 0) << bar.err;
  EXPECT_NE(bar.err.find("\033[J"), std::string::npos) << bar.err;
  ExpectUsageError("tune --space table.csv --trials 4 --progress fancy", "--progress");
}

}  // namespace
