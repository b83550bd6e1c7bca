#!/usr/bin/env python3
"""The report and the dashboard in a real browser (headless Chromium).

1. `tessel report`'s file, loaded by Chromium (--dump-dom): the browser's DOM holds a row per
   task and run, and each task's best-so-far chart a curve per run with a success and a marker
   per improvement, as counted from the database here with Python's sqlite3.
2. `tessel serve`'s page, loaded by Chromium and driven over the DevTools protocol (a minimal
   WebSocket client below): while the page is open, `tessel tune` adds a run to the database,
   and the page must show its measurements, and a curve for it, within a few seconds.

Exit status 0: passed; 1: failed; 77: skipped because Chromium is not installed (ctest's
SKIP_RETURN_CODE). --screenshots DIR instead saves the report and the dashboard of --db as
PNG images (docs/images/) and checks nothing.
"""
import argparse
import base64
import json
import math
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SKIP = 77
CHROMIUM_FLAGS = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                  "--disable-extensions", "--disable-dev-shm-usage", "--mute-audio"]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_run(chromium, profile, args, timeout=60):
    """Chromium in a fresh profile, for one --dump-dom or --screenshot; its stdout."""
    result = subprocess.run([chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile] + args,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        fail("chromium %s: status %d\n%s" % (args, result.returncode, result.stderr[-2000:]))
    return result.stdout


def expected_counts(db):
    """What the report must draw, from the database itself: per task, the runs with a success
    and each one's number of improvements of the best so far (the curve's markers)."""
    con = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(db)), uri=True)
    tasks = {}
    for task_id, minimise in con.execute("SELECT id, minimise FROM tasks ORDER BY id"):
        best = {}
        improvements = {}
        for run_id, status, value in con.execute(
                "SELECT run_id, status, value FROM measurements WHERE task_id = ? ORDER BY id",
                (task_id,)):
            if status != "ok" or value is None or not math.isfinite(value):
                continue
            old = best.get(run_id)
            if old is None or (value < old if minimise else value > old):
                best[run_id] = value
                improvements[run_id] = improvements.get(run_id, 0) + 1
        tasks[task_id] = improvements
    runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    measurements = con.execute("SELECT count(*) FROM measurements").fetchone()[0]
    con.close()
    return tasks, runs, measurements


def best_so_far_panels(dom, task_id):
    """The best-so-far chart of a task's section in a DOM dump: each panel's markup (a panel's
    series follow its frame, the one rect stroked #444)."""
    section = re.search(r'<section id="task-%d">(.*?)</section>' % task_id, dom, re.S)
    if not section:
        return None
    svg = re.search(r"<svg\b.*?</svg>", section.group(1), re.S)
    if not svg:
        return None
    return svg.group(0).split('stroke="#444"')[1:]


def check_report_dom(dom, db):
    tasks, runs, measurements = expected_counts(db)
    head = re.search(r"<h2>Tasks</h2>\s*<table>(.*?)</table>", dom, re.S)
    if not head or head.group(1).count("<tr>") != len(tasks) + 1:
        fail("the Tasks table does not have a row per task (%d)" % len(tasks))
    run_table = re.search(r"<h2>Runs</h2>\s*<table>(.*?)</table>", dom, re.S)
    if not run_table or run_table.group(1).count("<tr>") != runs + 1:
        fail("the Runs table does not have a row per run (%d)" % runs)
    if ", %d measurements." % measurements not in dom:
        fail("the headline does not count %d measurements" % measurements)
    for task_id, improvements in tasks.items():
        panels = best_so_far_panels(dom, task_id)
        if not improvements:
            continue
        if not panels or len(panels) < 2:
            fail("task %d: no best-so-far chart of two panels" % task_id)
        by_index = panels[0]
        curves = len(re.findall(r"<polyline\b", by_index))
        markers = len(re.findall(r'<circle\b[^>]*r="2"', by_index))
        if curves != len(improvements) or markers != sum(improvements.values()):
            fail("task %d: %d curves with %d markers drawn; the database has %d runs with a "
                 "success and %d improvements" % (task_id, curves, markers, len(improvements),
                                                   sum(improvements.values())))
    return tasks, measurements


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, client-masked."""

    def __init__(self, url):
        parts = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n"
                           % (parts.path, parts.hostname, parts.port, key)).encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):  # byte by byte: a frame may follow at once
            byte = self.sock.recv(1)
            if not byte:
                fail("DevTools closed the WebSocket handshake")
            head += byte
        if b" 101 " not in head.split(b"\r\n")[0]:
            fail("DevTools refused the WebSocket: %r" % head[:200])

    def _exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                fail("DevTools closed the WebSocket")
            data += chunk
        return data

    def send(self, text):
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        header += mask
        self.sock.sendall(bytes(header) + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            first, second = self._exact(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(length)
            opcode = first & 0x0F
            if opcode == 8:
                fail("DevTools closed the WebSocket")
            if opcode in (9, 10):  # ping, pong
                continue
            message += payload
            if first & 0x80:
                return message.decode()


class Page:
    """One tab, driven by Runtime.evaluate."""

    def __init__(self, websocket_url):
        self.ws = WebSocket(websocket_url)
        self.next_id = 0

    def evaluate(self, expression):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": "Runtime.evaluate",
                                 "params": {"expression": expression, "returnByValue": True}}))
        while True:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                return reply.get("result", {}).get("result", {}).get("value")


def wait_for(what, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    fail("after %d s: %s" % (seconds, what))


def start_serve(tessel, db, cwd):
    serve = subprocess.Popen([tessel, "serve", "--db", db, "--port", "0"], cwd=cwd,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = serve.stdout.readline()
    match = re.fullmatch(r"serving (http://127\.0\.0\.1:\d+/)\n", line)
    if not match:
        serve.kill()
        fail("tessel serve said %r, %r" % (line, serve.stderr.read()))
    return serve, match.group(1)


def stop_serve(serve):
    serve.terminate()
    if serve.wait(timeout=10) != 0:
        fail("tessel serve ended with status %d on SIGTERM" % serve.returncode)


def tune(tessel, cwd, db, tuner, seed, trials):
    result = subprocess.run([tessel, "tune", "--space", "table.csv", "--tuner", tuner, "--seed",
                             str(seed), "--trials", str(trials), "--batch-size", "2", "--db", db],
                            cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        fail("tessel tune: %s" % result.stderr)


def check_dashboard(tessel, chromium, work, db):
    tasks_before, _, measurements = expected_counts(db)
    serve, url = start_serve(tessel, db, work)
    profile = os.path.join(work, "profile-live")
    browser = subprocess.Popen([chromium] + CHROMIUM_FLAGS +
                               ["--user-data-dir=" + profile, "--remote-debugging-port=0", url],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        wait_for("Chromium's DevToolsActivePort", lambda: os.path.exists(port_file) and
                 open(port_file).read().split("\n")[0].strip().isdigit(), 30)
        port = int(open(port_file).read().split("\n")[0])

        def page_target():
            with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port) as response:
                for target in json.load(response):
                    if target.get("type") == "page" and target.get("url", "").startswith(url):
                        return target["webSocketDebuggerUrl"]
            return None

        page = Page(wait_for("the dashboard's tab", page_target, 20))
        count = "document.getElementById('measurements') && " \
                "document.getElementById('measurements').textContent"
        wait_for("the dashboard showing %d measurements" % measurements,
                 lambda: page.evaluate(count) == str(measurements), 20)
        curves = ("document.querySelectorAll('#task-1 svg')[0].querySelectorAll('polyline')"
                  ".length")
        before = page.evaluate(curves)
        if before != 2 * len(tasks_before[1]):
            fail("the dashboard draws %r best-so-far curves, not %d" %
                 (before, 2 * len(tasks_before[1])))

        # A tune writes the database while the page is open: a new run, a new curve.
        started = time.monotonic()
        tune(tessel, work, db, "random", 11, 5)
        tasks_after, _, measurements_after = expected_counts(db)
        wait_for("the dashboard showing %d measurements" % measurements_after,
                 lambda: page.evaluate(count) == str(measurements_after), 8)
        if page.evaluate(curves) != 2 * len(tasks_after[1]):
            fail("after the update the dashboard draws %r curves, not %d" %
                 (page.evaluate(curves), 2 * len(tasks_after[1])))
        headline = page.evaluate("document.querySelector('#report p').textContent")
        if "%d measurements" % measurements_after not in headline:
            fail("the swapped-in report says %r" % headline)
        print("dashboard: %d -> %d measurements shown %.1f s after the tune started" %
              (measurements, measurements_after, time.monotonic() - started))
    finally:
        browser.terminate()
        browser.wait(timeout=20)
        stop_serve(serve)


def screenshots(tessel, chromium, db, out_dir, work):
    name = os.path.basename(db)
    # A copy, never the original (serving may leave SQLite's -wal and -shm files beside it),
    # named as the original: the pages name the --db they show.
    shutil.copyfile(db, os.path.join(work, name))
    subprocess.run([tessel, "report", "--db", name, "--out", "report.html"], cwd=work,
                   check=True)
    size = "--window-size=1280,1600"
    chromium_run(chromium, os.path.join(work, "p1"),
                 ["--screenshot=" + os.path.join(out_dir, "report.png"), size,
                  "--hide-scrollbars", "file://" + os.path.join(work, "report.html")])
    serve, url = start_serve(tessel, name, work)
    try:
        chromium_run(chromium, os.path.join(work, "p2"),
                     ["--screenshot=" + os.path.join(out_dir, "dashboard.png"), size,
                      "--hide-scrollbars", url])
    finally:
        stop_serve(serve)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tessel", required=True)
    parser.add_argument("--work", help="scratch directory (default: a temporary one)")
    parser.add_argument("--screenshots", metavar="DIR")
    parser.add_argument("--db", help="with --screenshots: the database to show (copied)")
    args = parser.parse_args()
    chromium = find_chromium()
    if not chromium:
        print("SKIP: chromium is not installed (scripts/install-deps.sh installs it)")
        return SKIP
    work = args.work or tempfile.mkdtemp(prefix="tessel_browser_")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    tessel = os.path.abspath(args.tessel)
    if args.screenshots:
        screenshots(tessel, chromium, args.db, os.path.abspath(args.screenshots), work)
        return 0

    started = time.monotonic()
    with open(os.path.join(work, "table.csv"), "w") as table:
        table.write("tile,mode,time_ms\n")
        for tile in (1, 2, 4, 8, 16, 32):
            for mode, factor in (("a", 1.0), ("b", 1.3), ("c", 0.8)):
                value = "nan" if (tile, mode) == (2, "b") else "%.3f" % (
                    factor * (3 + abs(math.log2(tile) - 3.2)))
                table.write("%d,%s,%s\n" % (tile, mode, value))
    db = os.path.join(work, "r.db")
    tune(tessel, work, db, "grid", 1, 12)
    tune(tessel, work, db, "random", 7, 10)

    report = os.path.join(work, "report.html")
    subprocess.run([tessel, "report", "--db", db, "--out", report], check=True,
                   capture_output=True)
    dom = chromium_run(chromium, os.path.join(work, "profile-file"),
                       ["--dump-dom", "file://" + report])
    if "<svg" not in dom:
        fail("Chromium's DOM of the report has no SVG:\n" + dom[:500])
    tasks, measurements = check_report_dom(dom, db)
    print("report: %d tasks, %d measurements, curves and markers as in the database" %
          (len(tasks), measurements))
    check_dashboard(tessel, chromium, work, db)
    print("passed in %.1f s" % (time.monotonic() - started))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
