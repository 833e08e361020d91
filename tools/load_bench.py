#!/usr/bin/env python3
"""Load benchmark: `switchboard serve` on loopback under wrk.

Starts the release `switchboard serve` with the example config and a fresh
state file, pre-signs requests exactly as Slack does (v0 HMAC-SHA256 of
"v0:{ts}:{body}"), and drives them with wrk at rising concurrency:

  commands  POST /slack/commands  `/example help` (answered inline, audited)
  events    POST /slack/events    `link_shared` with a unique event_id each
                                  (claimed in the state store, no known link)

For each level it prints requests/s, p50/p99 latency and errors (non-2xx or
socket errors), then the highest rate held with p99 <= 20 ms and no errors.
It prints figures; it does not pass or fail on them.

Usage: python3 tools/load_bench.py TARGET_DIR [--seconds 8] [--levels 1,2,4,8,16,32,64]
Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

SECRET = "load-bench-signing-secret"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sign(ts, body):
    mac = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
    return "v0=" + mac.hexdigest()


def command_bodies(n):
    out = []
    for i in range(n):
        out.append(
            urllib.parse.urlencode(
                {
                    "team_id": "T0LOAD",
                    "user_id": f"U0LOAD{i % 97:03d}",
                    "user_name": "load",
                    "channel_id": "C0LOAD",
                    "command": "/example",
                    "text": "help",
                    "response_url": "https://hooks.slack.invalid/commands/1",
                }
            )
        )
    return out


def event_bodies(n):
    out = []
    for i in range(n):
        out.append(
            json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T0LOAD",
                    "event_id": f"Ev0LOAD{i:08d}",
                    "event_time": int(time.time()),
                    "event": {
                        "type": "link_shared",
                        "channel": "C0LOAD",
                        "user": "U0LOAD",
                        "message_ts": "1.000001",
                        "links": [{"domain": "elsewhere.invalid", "url": "https://elsewhere.invalid/x/1"}],
                    },
                },
                separators=(",", ":"),
            )
        )
    return out


LUA = r"""
local reqs = {}
local i = 0
local content_type = "%(ctype)s"
local path = "%(path)s"
init = function(args)
  local n = 0
  for line in io.lines("%(file)s") do
    local ts, sig, body = line:match("^(%%d+)\t([^\t]+)\t(.*)$")
    n = n + 1
    reqs[n] = wrk.format("POST", path, {
      ["Content-Type"] = content_type,
      ["X-Slack-Request-Timestamp"] = ts,
      ["X-Slack-Signature"] = sig,
    }, body)
  end
  -- Each wrk thread starts at a different offset so events stay unique.
  i = math.random(0, n - 1)
end
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
"""


def write_requests(dir_, name, bodies, path, ctype):
    ts = int(time.time())
    data = os.path.join(dir_, f"{name}.tsv")
    with open(data, "w") as f:
        for b in bodies:
            f.write(f"{ts}\t{sign(ts, b)}\t{b}\n")
    script = os.path.join(dir_, f"{name}.lua")
    with open(script, "w") as f:
        f.write(LUA % {"ctype": ctype, "path": path, "file": data})
    return script


def parse_wrk(text):
    def ms(v, unit):
        v = float(v)
        return {"us": v / 1000, "ms": v, "s": v * 1000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    lat = {}
    for p, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        lat[p] = ms(v, unit)
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    return rps, lat.get("50", float("nan")), lat.get("99", float("nan")), errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target_dir")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--levels", default="1,2,4,8,16,32,64")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (Debian/Ubuntu)")
    with served(args.target_dir) as (binary, work, base, _serve):
        levels = [int(x) for x in args.levels.split(",")]
        # Enough unique events for the fastest level to never repeat one.
        n_events = 4000 * args.seconds * 4
        scripts = {
            "commands": write_requests(work, "commands", command_bodies(1000),
                                       "/slack/commands", "application/x-www-form-urlencoded"),
            "events": write_requests(work, "events", event_bodies(n_events),
                                     "/slack/events", "application/json"),
        }
        print(f"switchboard serve ({binary}), embedded state file, {args.seconds} s per level, wrk 2 threads")
        for name, script in scripts.items():
            print(f"\n{name}:")
            print(f"{'connections':>11} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
            held = 0.0
            for c in levels:
                out = subprocess.run(
                    ["wrk", "-t", str(min(2, c)), "-c", str(c), "-d", f"{args.seconds}s",
                     "--latency", "-s", script, base],
                    capture_output=True, text=True, check=True,
                ).stdout
                rps, p50, p99, errors = parse_wrk(out)
                print(f"{c:>11} {rps:>9.0f} {p50:>8.2f} {p99:>8.2f} {errors:>7}")
                if p99 <= 20.0 and errors == 0:
                    held = max(held, rps)
            print(f"held with p99 <= 20 ms and 0 errors: {held:.0f} req/s")


@contextlib.contextmanager
def served(target_dir):
    """The release `switchboard serve` on a free loopback port with the
    example config and a fresh state file: (binary, work dir, base URL,
    process). Stopped and cleaned up on exit."""
    binary = os.path.abspath(os.path.join(target_dir, "release", "switchboard"))
    work = tempfile.mkdtemp(prefix="sb-serve-")
    port = free_port()
    env = dict(os.environ, SLACK_SIGNING_SECRET=SECRET, RUST_LOG="warn")
    env.pop("SWITCHBOARD_TABLE", None)
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "switchboard.example.toml")
    serve = subprocess.Popen(
        [binary, "serve", "--addr", f"127.0.0.1:{port}", "--config", example,
         "--state", os.path.join(work, "state.jsonl")],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        line = serve.stdout.readline()
        if "listening" not in line:
            sys.exit(f"serve did not start: {line!r}")
        yield binary, work, f"http://127.0.0.1:{port}", serve
    finally:
        serve.terminate()
        serve.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
