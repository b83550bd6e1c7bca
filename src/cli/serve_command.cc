// `tessel serve`: the records' report as a local web page that follows the database while a
// tune writes it. Read-only throughout: the database is opened for reading on connections that
// see what writers commit, and only GET (and HEAD) of the page's own routes is answered.
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "core/error.h"
#include "core/stop_request.h"
#include "records/record_store.h"
#include "report/dashboard_page.h"
#include "report/db_version.h"
#include "report/html_report.h"
#include "report/report_data.h"

namespace tessel::cli {
namespace {

constexpr int kPollMs = 1500;

std::string UtcClock() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof(text), "%H:%M:%S UTC", &utc);
  return text;
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

// A Host header ("localhost:8080", "[::1]:8080") naming this machine's loopback. A page
// elsewhere whose name it rebinds to 127.0.0.1 (DNS rebinding) sends its own name and is
// refused: only a browser on this machine reads the records.
bool LoopbackHostHeader(std::string host) {
  if (!host.empty() && host[0] == '[') {
    const size_t end = host.find(']');
    host = end == std::string::npos ? "" : host.substr(1, end - 1);
  } else if (const size_t colon = host.find(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  return IsLoopback(host);
}

// The database and the page rendered from it; requests take turns, since a store's connection
// serves one thread at a time (and a report is read in one snapshot anyway).
class Dashboard {
 public:
  explicit Dashboard(const std::string& path)
      : path_(path), store_(path, RecordStore::Access::kReadOnlyLive), probe_(path) {}

  std::string Page() {
    std::lock_guard lock(mutex_);
    // The version first: the body is then at least as new, and the page's script cannot miss
    // a change made between the two.
    const DbVersion version = probe_.Read();
    return RenderDashboardPage(Body(), path_, version, UtcClock(), kPollMs);
  }

  std::string Report() {
    std::lock_guard lock(mutex_);
    return Body();
  }

  std::string Version() {
    std::lock_guard lock(mutex_);
    return DbVersionJson(probe_.Read());
  }

 private:
  std::string Body() {
    const RecordStore::ReadSnapshot snapshot(store_);
    return RenderReportBody(ReadReport(store_), path_);
  }

  const std::string path_;
  std::mutex mutex_;
  RecordStore store_;
  DbVersionProbe probe_;
};

void Reply(httplib::Response& response, int status, const std::string& body, const char* type) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(body, type);
}

}  // namespace

int RunServe(const ServeOptions& options) {
  if (options.port < 0 || options.port > 65535) {
    throw ConfigError("--port " + std::to_string(options.port) +
                      " is not a port; give 1-65535, or 0 for any free one");
  }
  const std::string path = ResolveDbPath(options.db);
  Dashboard dashboard(path);  // refuses what is not a records database, before listening

  httplib::Server server;
  // Without keep-alive no connection outlives its request, so a stop is not held up by an
  // idle browser connection; a poll every second or two costs nothing more on loopback.
  server.set_keep_alive_max_count(1);
  server.set_payload_max_length(1 << 16);
  // httplib's default sets SO_REUSEPORT, with which a second server binds a port the first
  // holds and takes some of its requests; SO_REUSEADDR alone refuses a port in use.
  server.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const bool loopback = IsLoopback(options.host);
  server.set_pre_routing_handler(
      [loopback](const httplib::Request& request, httplib::Response& response) {
        if (request.method != "GET" && request.method != "HEAD") {
          response.set_header("Allow", "GET, HEAD");
          Reply(response, 405, "only GET is served\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (loopback && !LoopbackHostHeader(request.get_header_value("Host"))) {
          Reply(response, 403, "this dashboard answers only to localhost\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.status == 404) Reply(response, 404, "not found\n", "text/plain");
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
        std::string why = "unknown error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          why = e.what();
        }
        Reply(response, 500, "cannot read the records: " + why + "\n", "text/plain");
      });
  server.Get("/", [&](const httplib::Request&, httplib::Response& response) {
    Reply(response, 200, dashboard.Page(), "text/html; charset=utf-8");
  });
  server.Get("/api/report", [&](const httplib::Request&, httplib::Response& response) {
    Reply(response, 200, dashboard.Report(), "text/html; charset=utf-8");
  });
  server.Get("/api/version", [&](const httplib::Request&, httplib::Response& response) {
    Reply(response, 200, dashboard.Version(), "application/json");
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
  } else if (!server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    throw IoError("cannot listen on " + options.host + " port " + std::to_string(options.port) +
                  " (in use, or not an address of this machine); give another --port or --host");
  }
  const std::string host =
      options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::printf("serving http://%s:%d/\n", host.c_str(), port);
  std::fflush(stdout);

  // Ctrl-C and SIGTERM set the stop flag (stop_request.h); this thread turns it into the
  // server's stop. It asks again until the server has stopped: a stop asked before the server
  // runs would otherwise be lost.
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      if (StopRequested()) server.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const bool listened = server.listen_after_bind();
  done = true;
  watcher.join();
  if (!listened && !StopRequested())
    throw IoError("the server on " + host + ":" + std::to_string(port) + " failed");
  return 0;
}

}  // namespace tessel::cli
