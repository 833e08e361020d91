#!/usr/bin/env python3
"""Soak benchmark: `switchboard serve`'s memory over 1,000,000 requests.

Starts the release `switchboard serve` with the example config and a fresh
state file, then drives it with wrk in rounds until the requests add up to
--requests, reading the process's resident memory (VmRSS) after each round.
The requests are the ones an exposed `serve` gets all day and must not
accumulate anything for: health checks, a forged Slack signature (401), a
signed request of the wrong content type (415) and an unknown path (404).

It prints figures; it does not pass or fail on them.

Usage: python3 tools/soak_bench.py TARGET_DIR [--requests 1000000] [--connections 32]
Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_bench import served, sign  # noqa: E402

LUA = """
local reqs = {}
local i = 0
init = function(args)
  reqs[1] = wrk.format("GET", "/healthz")
  reqs[2] = wrk.format("POST", "/slack/commands", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Slack-Request-Timestamp"] = "%(ts)s",
    ["X-Slack-Signature"] = "v0=0000000000000000000000000000000000000000000000000000000000000000",
  }, "command=%%2Fexample&text=help")
  reqs[3] = wrk.format("POST", "/slack/commands", {
    ["Content-Type"] = "text/plain",
    ["X-Slack-Request-Timestamp"] = "%(ts)s",
    ["X-Slack-Signature"] = "%(sig)s",
  }, "%(body)s")
  reqs[4] = wrk.format("GET", "/no/such/route")
end
request = function()
  i = i %% #reqs + 1
  return reqs[i]
end
"""


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target_dir")
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--round-seconds", type=int, default=5)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (Debian/Ubuntu)")
    with served(args.target_dir) as (binary, work, base, serve):
        ts = int(time.time())
        body = "command=%2Fexample&text=help"
        script = os.path.join(work, "soak.lua")
        with open(script, "w") as f:
            f.write(LUA % {"ts": ts, "sig": sign(ts, body), "body": body})
        start_kib = rss_kib(serve.pid)
        print(f"switchboard serve ({binary}), {args.connections} connections, "
              f"{args.round_seconds} s rounds, until {args.requests:,} requests")
        print(f"{'requests':>10} {'req/s':>9} {'RSS MiB':>8} {'errors':>7}")
        print(f"{0:>10,} {'':>9} {start_kib / 1024:>8.1f} {'':>7}")
        total, samples = 0, [start_kib]
        while total < args.requests:
            out = subprocess.run(
                ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.round_seconds}s",
                 "-s", script, base],
                capture_output=True, text=True, check=True,
            ).stdout
            done = int(re.search(r"(\d+) requests in", out).group(1))
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
            errors = sum(int(x) for x in sock.groups()) if sock else 0
            total += done
            kib = rss_kib(serve.pid)
            samples.append(kib)
            print(f"{total:>10,} {rps:>9.0f} {kib / 1024:>8.1f} {errors:>7}")
        # The first round warms allocator arenas and connection buffers; the
        # rest should stay flat.
        warm = samples[1] if len(samples) > 1 else samples[0]
        print(f"RSS after the first round {warm / 1024:.1f} MiB, at the end "
              f"{samples[-1] / 1024:.1f} MiB, peak {max(samples) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
