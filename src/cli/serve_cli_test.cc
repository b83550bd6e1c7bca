// `tessel serve` end to end: the real command on a free port, asked by httplib's client; the
// database read live and never written; bad input refused in one line.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/command_test_fixture.h"
#include "records/record_store.h"

namespace {

using tessel::cli_testing::Outcome;
using tessel::cli_testing::ReadFile;

namespace fs = std::filesystem;

// `tessel serve ARGS` running in `dir`, its stdout on a pipe (where it says its URL) and its
// stderr in dir/serve.err; killed if a test leaves it running.
class ServeProcess {
 public:
  ServeProcess(const fs::path& dir, const std::string& args) : dir_(dir) {
    int out[2];
    if (pipe(out) != 0) return;
    const std::string command = "cd '" + dir.string() + "' && exec env -u TESSEL_DB " +
                                TESSEL_BINARY + " serve " + args + " 2>serve.err </dev/null";
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
  }
  ~ServeProcess() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  // The first line it prints, "" if none comes within `seconds` (or it ended).
  std::string FirstLine(int seconds = 30) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (line.empty() || line.back() != '\n') {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd fd{out_, POLLIN, 0};
      if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) <= 0) return "";
      char c;
      if (read(out_, &c, 1) != 1) return "";
      line += c;
    }
    return line;
  }

  // Sends `signal` and waits up to `seconds` for the exit; its status, -1 if it did not end.
  int Stop(int signal, int seconds = 10) {
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      int raw = 0;
      if (waitpid(pid_, &raw, WNOHANG) == pid_) {
        status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  std::string Stderr() const { return ReadFile(dir_ / "serve.err"); }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  int out_ = -1;
  int status_ = -1;
};

// The port of "serving http://127.0.0.1:PORT/\n", 0 when the line is not that.
int PortOf(const std::string& line) {
  const std::string prefix = "serving http://127.0.0.1:";
  if (line.rfind(prefix, 0) != 0 || line.size() < prefix.size() + 3 ||
      line.substr(line.size() - 2) != "/\n")
    return 0;
  try {
    return std::stoi(line.substr(prefix.size()));
  } catch (const std::exception&) {
    return 0;
  }
}

class ServeCliTest : public tessel::cli_testing::CommandTest {
 protected:
  // r.db: a grid search over a replay table of 6 configurations, one failing.
  void TuneATable() {
    std::ofstream(dir_ / "table.csv") << "tile,mode,time_ms\n"
                                         "1,a,5.0\n2,a,3.0\n4,a,4.0\n1,b,nan\n4,b,1.5\n8,a,2.5\n";
    const Outcome tune = Run("tune --space table.csv --tuner grid --trials 6 --seed 3 --db r.db");
    ASSERT_EQ(tune.status, 0) << tune.err;
  }

  static nlohmann::json Version(httplib::Client& client) {
    const httplib::Result result = client.Get("/api/version");
    if (!result || result->status != 200) return nullptr;
    return nlohmann::json::parse(result->body);
  }
};

TEST_F(ServeCliTest, ServesThePageAndItsApiAndNothingElse) {
  TuneATable();
  const std::string before = ReadFile(dir_ / "r.db");
  ServeProcess serve(dir_, "--db r.db --port 0");
  const std::string line = serve.FirstLine();
  const int port = PortOf(line);
  ASSERT_GT(port, 0) << line << serve.Stderr();
  httplib::Client client("127.0.0.1", port);

  const httplib::Result page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->body.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page->body.find("Live view of <code>r.db</code>"), std::string::npos);
  EXPECT_NE(page->body.find("<span id=\"measurements\">6</span>"), std::string::npos);
  EXPECT_NE(page->body.find(">grid seed 3</text>"), std::string::npos);
  EXPECT_NE(page->body.find("<script>"), std::string::npos);

  const nlohmann::json version = Version(client);
  ASSERT_TRUE(version.is_object());
  EXPECT_EQ(version["measurements"], 6);
  EXPECT_EQ(version["runs"], 1);
  EXPECT_EQ(version["tasks"], 1);
  EXPECT_NE(page->body.find("data-version=\"" + version["version"].get<std::string>() + "\""),
            std::string::npos);

  const httplib::Result report = client.Get("/api/report");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->status, 200);
  EXPECT_EQ(report->body.rfind("<h1>Tessel records</h1>", 0), 0u);
  EXPECT_NE(report->body.find("1 task, 1 run, 6 measurements"), std::string::npos);
  EXPECT_NE(page->body.find(report->body), std::string::npos);  // the page's own body
  EXPECT_EQ(report->get_header_value("Cache-Control"), "no-store");

  const httplib::Result head = client.Head("/api/version");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  for (const char* path : {"/nope", "/api", "/api/version/x", "/r.db", "/../r.db"}) {
    const httplib::Result missing = client.Get(path);
    ASSERT_TRUE(missing) << path;
    EXPECT_EQ(missing->status, 404) << path;
  }
  for (const char* path : {"/", "/api/version", "/nope"}) {
    const httplib::Result post = client.Post(path, "x", "text/plain");
    ASSERT_TRUE(post) << path;
    EXPECT_EQ(post->status, 405) << path;
    EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
    const httplib::Result del = client.Delete(path);
    ASSERT_TRUE(del) << path;
    EXPECT_EQ(del->status, 405) << path;
  }
  // A page of another site whose name was rebound to 127.0.0.1 sends its own Host.
  const httplib::Result rebound = client.Get("/api/report", {{"Host", "evil.example:80"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  const httplib::Result local = client.Get("/api/version", {{"Host", "localhost:1"}});
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);

  EXPECT_EQ(serve.Stop(SIGTERM), 0) << serve.Stderr();
  EXPECT_EQ(serve.Stderr(), "");
  EXPECT_EQ(ReadFile(dir_ / "r.db"), before);
}

// A tune writes the database while it is served: the writer is never held up, and the version
// and the report follow it.
TEST_F(ServeCliTest, FollowsAWriterAndStopsOnCtrlC) {
  TuneATable();
  ServeProcess serve(dir_, "--db r.db --port 0");
  const int port = PortOf(serve.FirstLine());
  ASSERT_GT(port, 0) << serve.Stderr();
  httplib::Client client("127.0.0.1", port);
  const nlohmann::json first = Version(client);
  ASSERT_TRUE(first.is_object());
  ASSERT_EQ(first["measurements"], 6);

  {
    tessel::RecordStore writer((dir_ / "r.db").string());
    const int64_t task = writer.Tasks().at(0).first;
    const int64_t run = writer.BeginRun({"random", 9, "test"});
    tessel::Evaluation result;
    result.status = tessel::EvalStatus::kOk;
    result.value = 0.5;
    for (int i = 0; i < 3; ++i) {
      writer.Append(task, run, {"tile=" + std::to_string(16 << i) + ",mode=a"}, {result});
      const nlohmann::json now = Version(client);  // read while the writer holds the file open
      ASSERT_TRUE(now.is_object());
      EXPECT_EQ(now["measurements"], 7 + i);
      EXPECT_EQ(now["runs"], 2);
    }
  }
  const nlohmann::json last = Version(client);
  EXPECT_NE(last["version"], first["version"]);
  const httplib::Result report = client.Get("/api/report");
  ASSERT_TRUE(report);
  EXPECT_NE(report->body.find("1 task, 2 runs, 9 measurements"), std::string::npos);
  EXPECT_NE(report->body.find(">random seed 9</text>"), std::string::npos);

  EXPECT_EQ(serve.Stop(SIGINT), 0) << serve.Stderr();
  EXPECT_EQ(serve.Stderr(), "");
}

TEST_F(ServeCliTest, BadInputIsOneLineAndExitTwo) {
  ExpectUsageError("serve --db missing.db --port 0", "missing.db does not exist");
  std::ofstream(dir_ / "notes.txt") << "not a database\n";
  const std::string notes = ReadFile(dir_ / "notes.txt");
  ExpectUsageError("serve --db notes.txt --port 0", "notes.txt is not a Tessel database");
  EXPECT_EQ(ReadFile(dir_ / "notes.txt"), notes);
  TuneATable();
  ExpectUsageError("serve --db r.db --port 70000", "--port 70000 is not a port");
  ExpectUsageError("serve --db r.db --port -1", "is not a port");
  ExpectUsageError("serve --db r.db --port eighty", "--port");
  ExpectUsageError("serve --db r.db --port 0 --host 203.0.113.7", "cannot listen on 203.0.113.7");

  // A port another server holds.
  ServeProcess first(dir_, "--db r.db --port 0");
  const int port = PortOf(first.FirstLine());
  ASSERT_GT(port, 0) << first.Stderr();
  ExpectUsageError("serve --db r.db --port " + std::to_string(port),
                   "cannot listen on 127.0.0.1 port " + std::to_string(port));
  EXPECT_EQ(first.Stop(SIGTERM), 0);
}

}  // namespace
