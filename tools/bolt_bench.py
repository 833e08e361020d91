#!/usr/bin/env python3
"""Switchboard's dispatcher beside Slack Bolt for Python, in one run.

The same signed `/example help`, answered by:
  - the dispatcher's release binary (provided.al2023-style bootstrap), and
  - a minimal Bolt app (tools/bolt/bolt_app.py) behind Bolt's AWS Lambda
    adapter, run by the AWS Lambda Runtime Interface Client (awslambdaric),
    as the python3.x managed runtime runs it.

Both are started cold against the same local Lambda Runtime API
(tools/lambda_bench.py) and measured alike: spawn to the answer, and the
process's peak memory (VmHWM). Warm time per signed command is measured in
process for both: the dispatcher's `examples/warm` (its router), and
Bolt's handler called with freshly signed events. Bolt's auth.test goes to
a local stand-in Slack, so the network is not what is measured.

Usage: .venv/bin/python tools/bolt_bench.py TARGET_DIR [--runs 10] [--warm 2000]
Needs slack_bolt and awslambdaric in the running Python (scripts/bench.sh
installs them into the virtualenv).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lambda_bench as lb  # noqa: E402

BOLT_DIR = Path(__file__).resolve().parent / "bolt"


class FakeSlack(BaseHTTPRequestHandler):
    """Answers any Web API call as a healthy workspace would (auth.test)."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({
            "ok": True, "url": "https://bench.slack.com/", "team": "Bench",
            "user": "bolt", "team_id": "T0001", "user_id": "U0BOLT", "bot_id": "B0BOLT",
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def bolt_bootstrap(workdir: Path) -> Path:
    """A `bootstrap` that starts the Bolt app the way the python runtime does."""
    path = workdir / "bolt-bootstrap"
    path.write_text(f"#!/bin/sh\nexec {sys.executable} -m awslambdaric bolt_app.handler\n")
    path.chmod(0o755)
    return path


def warm_bolt(runs: int, slack_url: str) -> list:
    """Per-command time of Bolt's Lambda handler, in process, after warm-up."""
    os.environ.update({
        "SLACK_SIGNING_SECRET": lb.SIGNING_SECRET,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_API_URL": slack_url,
        "AWS_LAMBDA_FUNCTION_NAME": "bolt",
    })
    sys.path.insert(0, str(BOLT_DIR))
    import bolt_app  # noqa: E402

    class Context:
        function_name = "bolt"
        aws_request_id = "bench"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bolt"

        def get_remaining_time_in_millis(self):
            return 3000

    samples = []
    for i in range(runs + 200):
        event = lb.slash_command_event()
        start = time.perf_counter()
        reply = bolt_app.handler(event, Context())
        elapsed = time.perf_counter() - start
        if reply.get("statusCode") != 200 or "Usage: /example" not in reply.get("body", ""):
            raise SystemExit(f"Bolt answered wrongly: {reply}")
        if i >= 200:
            samples.append(elapsed * 1e6)
    return samples


def warm_dispatcher(target_dir: Path, runs: int) -> dict:
    out = subprocess.run([str(target_dir / "release" / "examples" / "warm"), str(runs)],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "help":
            return {"p50": float(parts[1]), "p99": float(parts[2])}
    raise SystemExit(f"no help row in the warm output:\n{out}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("target_dir", type=Path)
    ap.add_argument("--runs", type=int, default=10, help="cold starts each")
    ap.add_argument("--warm", type=int, default=2000, help="warm calls each")
    ap.add_argument("--config", type=Path, default=lb.REPO / "switchboard.example.toml")
    args = ap.parse_args()
    dispatcher = (args.target_dir / "release" / "switchboard-dispatcher").resolve()

    slack = ThreadingHTTPServer(("127.0.0.1", 0), FakeSlack)
    threading.Thread(target=slack.serve_forever, daemon=True).start()
    slack_url = f"http://127.0.0.1:{slack.server_address[1]}/"

    samples = {"dispatcher": [], "bolt": []}
    with tempfile.TemporaryDirectory(prefix="bolt-bench-") as tmp:
        workdir = Path(tmp)
        bolt = bolt_bootstrap(workdir)
        config = args.config.resolve()
        for run in range(args.runs + 1):
            order = ["dispatcher", "bolt"] if run % 2 == 0 else ["bolt", "dispatcher"]
            for name in order:
                env = lb.lambda_env(name, workdir, run, config)
                if name == "bolt":
                    env.update({
                        "PYTHONPATH": str(BOLT_DIR),
                        "LAMBDA_TASK_ROOT": str(BOLT_DIR),
                        "SLACK_BOT_TOKEN": "xoxb-bench",
                        "SLACK_API_URL": slack_url,
                    })
                    result = lb.cold_run(bolt, env, lb.check_dispatcher, workdir)
                else:
                    result = lb.cold_run(dispatcher, env, lb.check_dispatcher, workdir)
                if run > 0:
                    samples[name].append(result)

    bolt_warm = warm_bolt(args.warm, slack_url)
    d_warm = warm_dispatcher(args.target_dir, args.warm)
    slack.shutdown()

    med = statistics.median
    d_cold = med(s["cold_ms"] for s in samples["dispatcher"])
    b_cold = med(s["cold_ms"] for s in samples["bolt"])
    d_mem = med(s["peak_kib"] for s in samples["dispatcher"]) / 1024
    b_mem = med(s["peak_kib"] for s in samples["bolt"]) / 1024
    b_p50, b_p99 = lb.percentile(bolt_warm, 50), lb.percentile(bolt_warm, 99)

    print(f"same signed /example help; {args.runs} cold starts each against a local "
          f"Runtime API, {args.warm} warm calls each in process")
    print("| figure | Switchboard dispatcher | Bolt for Python | Bolt ÷ dispatcher | target |")
    print("|---|---:|---:|---:|---|")
    print(f"| cold start to the answer, median | {d_cold:.1f} ms | {b_cold:.1f} ms "
          f"| {b_cold / d_cold:.1f}× | ≥ 12× faster |")
    print(f"| peak memory (VmHWM), median | {d_mem:.2f} MiB | {b_mem:.2f} MiB "
          f"| dispatcher is {d_mem / b_mem:.2f}× | ≤ 0.6× |")
    print(f"| warm, per command, p50 | {d_warm['p50']:.0f} µs | {b_p50:.0f} µs "
          f"| {b_p50 / d_warm['p50']:.1f}× | ≥ 10× faster |")
    print(f"| warm, per command, p99 | {d_warm['p99']:.0f} µs | {b_p99:.0f} µs "
          f"| {b_p99 / d_warm['p99']:.1f}× | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
