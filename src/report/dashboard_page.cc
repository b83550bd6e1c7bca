#include "report/dashboard_page.h"

#include <nlohmann/json.hpp>

#include "core/svg_chart.h"
#include "report/html_report.h"

namespace tessel {
namespace {

constexpr const char* kLiveStyle =
    R"(.live{position:sticky;top:0;background:#fffbe6;border-bottom:1px solid #e0d8a8;
margin:0 -2em;padding:.4em 2em;z-index:1}.live .state{color:#b00}
)";

// Polls the version; on a change, fetches the body and swaps it in. The body is asked for after
// the version it answers, so it is at least as new: a change is never missed, at worst fetched
// twice. A failed poll (the server stopped) is shown and retried.
constexpr const char* kScript = R"((function () {
  var report = document.getElementById('report');
  var state = document.getElementById('state');
  var version = report.getAttribute('data-version');
  function get(path) {
    return fetch(path, {cache: 'no-store'}).then(function (r) {
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r;
    });
  }
  function poll() {
    get('/api/version').then(function (r) { return r.json(); }).then(function (v) {
      if (v.version === version) return;
      return get('/api/report').then(function (r) { return r.text(); }).then(function (html) {
        report.innerHTML = html;
        version = v.version;
        report.setAttribute('data-version', version);
        document.getElementById('measurements').textContent = v.measurements;
        document.getElementById('updated').textContent =
            new Date().toISOString().slice(11, 19) + ' UTC';
      });
    }).then(function () { state.textContent = ''; }, function (e) {
      state.textContent = 'server not reachable (' + e.message + '); retrying';
    }).then(function () { setTimeout(poll, POLL_MS); });
  }
  setTimeout(poll, POLL_MS);
})();
)";

}  // namespace

std::string RenderDashboardPage(const std::string& body, const std::string& source,
                                const DbVersion& version, const std::string& updated, int poll_ms) {
  std::string script = kScript;
  for (size_t at; (at = script.find("POLL_MS")) != std::string::npos;)
    script.replace(at, 7, std::to_string(poll_ms));
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<title>Tessel dashboard: " +
         EscapeMarkup(source) + "</title>\n<style>\n" + ReportStyle() + kLiveStyle +
         "</style>\n</head>\n<body>\n<p class=\"live\">Live view of <code>" + EscapeMarkup(source) +
         "</code>: <span id=\"measurements\">" + std::to_string(version.measurements) +
         "</span> measurements, last updated <span id=\"updated\">" + EscapeMarkup(updated) +
         "</span>; checked every " + std::to_string(poll_ms) +
         " ms. <span id=\"state\" class=\"state\"></span></p>\n<div id=\"report\" "
         "data-version=\"" +
         EscapeMarkup(version.Token()) + "\">\n" + body + "</div>\n<script>\n" + script +
         "</script>\n</body>\n</html>\n";
}

std::string DbVersionJson(const DbVersion& version) {
  return nlohmann::json{{"version", version.Token()},
                        {"measurements", version.measurements},
                        {"runs", version.runs},
                        {"tasks", version.tasks}}
      .dump();
}

}  // namespace tessel
