#!/usr/bin/env python3
"""Cold-start benchmark of a Lambda binary against a local Lambda Runtime API.

Serves a minimal Runtime API on 127.0.0.1, starts each binary the way Lambda
does (AWS_LAMBDA_RUNTIME_API and the usual environment), hands it one signed
Slack slash command as an API Gateway HTTP API (payload 2.0) event, and
measures:

  cold start   wall time from spawn to the function's response POST arriving
  init         wall time from spawn to its first GET /invocation/next
  peak memory  VmHWM (peak resident set) of the process right after it answered

plus the release binary's size and the size of the zip Lambda would be given
(the binary as `bootstrap`, deflate level 9). The dispatcher is compared with
a floor: a hello-world lambda_http binary built with the same profile.

Usage: lambda_bench.py DISPATCHER FLOOR [--runs 20] [--config FILE]
       lambda_bench.py DISPATCHER FLOOR --aws MOTO_URL --cli SWITCHBOARD [--delay-ms 20]

With --aws the dispatcher runs in its AWS mode instead: a DynamoDB table
shaped like the deployed one and a Secrets Manager secret are created on the
emulator at MOTO_URL, the config is pushed with `switchboard config push`, and
the dispatcher reads both at start-up (the signing secret is only in the
secret). Each --delay-ms puts a proxy in front of the emulator that holds
every request that long, as a network round trip would; 0 goes direct.
That mode needs boto3 (moto's virtualenv has it).

Exits non-zero only when a run fails (no answer, an error, a wrong answer);
missed targets are reported in the table, not treated as failures.
Python 3 standard library only; Linux only (reads /proc).
"""

import argparse
import base64
import hashlib
import hmac
import io
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
API = "/2018-06-01/runtime"
SIGNING_SECRET = "bench-signing-secret"
FORM = (
    "team_id=T0001&user_id=U0LOCALDEV&channel_id=C0LOCALDEV&command=%2Fexample"
    "&text=help&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fx"
)
RUN_TIMEOUT_S = 15.0

# Targets from the issue: ratios to the floor, and absolute limits.
COLD_RATIO = 1.3
MEMORY_RATIO = 1.25
ZIP_LIMIT_BYTES = 4_000_000  # "4 MB", read strictly as decimal megabytes


class Invocation:
    """One cold start: the event handed out and what the function sent back."""

    def __init__(self, event: dict):
        self.request_id = str(uuid.uuid4())
        self.event = json.dumps(event).encode()
        self.handed_out = False
        self.first_next = None  # perf_counter() of the first GET /next
        self.answered_at = None  # perf_counter() when the response had arrived
        self.response = None
        self.error = None
        self.done = threading.Event()  # an answer or an error arrived
        self.over = threading.Event()  # the process is gone; release held requests


class RuntimeApi(ThreadingHTTPServer):
    """Serves one invocation to one process, on a port of its own.

    A fresh server per cold start matters: a killed process may still have a
    GET /next in flight, and on a shared port it would take the next run's event.
    """

    daemon_threads = True

    def __init__(self, invocation: Invocation):
        super().__init__(("127.0.0.1", 0), Handler)
        self.invocation = invocation

    def handle_error(self, request, client_address):
        # Killing a function drops its idle keep-alive connections; not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the runtime's client can keep its connection, as on Lambda.
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        inv = self.server.invocation
        if self.path != f"{API}/invocation/next":
            return self.reply(404, b'{"errorMessage":"not found"}')
        if inv.first_next is None:
            inv.first_next = time.perf_counter()
        if inv.handed_out:
            # Lambda freezes the function here until the next event; this run
            # has no next event, so hold the request until the process is killed.
            inv.over.wait(RUN_TIMEOUT_S * 4)
            self.close_connection = True
            return
        inv.handed_out = True
        deadline_ms = int(time.time() * 1000) + 30_000
        self.reply(
            200,
            inv.event,
            {
                "Lambda-Runtime-Aws-Request-Id": inv.request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": (
                    "arn:aws:lambda:us-east-1:123456789012:function:bench"
                ),
                "Lambda-Runtime-Trace-Id": (
                    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
                ),
            },
        )

    def do_POST(self):
        inv = self.server.invocation
        body = self.read_body()
        arrived = time.perf_counter()
        if self.path == f"{API}/init/error":
            inv.error = f"init error: {body.decode(errors='replace')}"
        elif self.path == f"{API}/invocation/{inv.request_id}/response":
            inv.answered_at = arrived
            inv.response = body
        elif self.path == f"{API}/invocation/{inv.request_id}/error":
            inv.error = f"invocation error: {body.decode(errors='replace')}"
        else:
            return self.reply(404, b'{"errorMessage":"unknown path"}')
        self.reply(202, b'{"status":"OK"}')
        inv.done.set()

    def read_body(self) -> bytes:
        # The runtime sends buffered responses with a length, streamed ones chunked.
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def reply(self, status: int, body: bytes, headers: dict | None = None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the process was killed mid-reply; the run is already decided


def slash_command_event() -> dict:
    """A signed `/example help` as API Gateway HTTP API (payload 2.0) sends it.

    Signed at run time, since the dispatcher rejects timestamps older than 5 minutes.
    """
    ts = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{FORM}".encode(), hashlib.sha256)
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "POST /slack/commands",
        "rawPath": "/slack/commands",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": str(len(FORM)),
            "host": "abc123.execute-api.us-east-1.amazonaws.com",
            "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "x-forwarded-proto": "https",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": "v0=" + mac.hexdigest(),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": "POST",
                "path": "/slack/commands",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            },
            "requestId": "bench",
            "routeKey": "POST /slack/commands",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": FORM,
        "isBase64Encoded": False,
    }


def http_event(path: str, body: str, headers: dict) -> dict:
    """An API Gateway HTTP API (payload 2.0) POST with `headers` added."""
    event = slash_command_event()
    event["routeKey"] = f"POST {path}"
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    event["requestContext"]["routeKey"] = f"POST {path}"
    event["headers"] = {
        "content-length": str(len(body)),
        "host": "abc123.execute-api.us-east-1.amazonaws.com",
        "x-forwarded-proto": "https",
        **headers,
    }
    event["body"] = body
    return event


def slack_signed(path: str, body: str, content_type: str) -> dict:
    ts = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
    return http_event(path, body, {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": "v0=" + mac.hexdigest(),
    })


WEBHOOK_SECRET = "bench-webhook-secret"


def unfurler_event() -> dict:
    body = json.dumps({"token": "x", "challenge": "bench-challenge", "type": "url_verification"})
    return slack_signed("/slack/events", body, "application/json")


def bridge_event() -> dict:
    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1})
    mac = hmac.new(WEBHOOK_SECRET.encode(), body.encode(), hashlib.sha256)
    return http_event("/webhooks/github", body, {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": str(uuid.uuid4()),
        "x-hub-signature-256": "sha256=" + mac.hexdigest(),
    })


def scheduled_event() -> dict:
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
        "source": "aws.scheduler", "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
        "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/bench"],
        "detail": {},
    }


def check_unfurler(status: int, body: str) -> str | None:
    return None if status == 200 and "bench-challenge" in body else f"expected the challenge, got {status} {body!r}"


def check_bridge(status: int, body: str) -> str | None:
    return None if status is not None and status < 300 else f"expected 2xx for a signed ping, got {status} {body!r}"


def check_scheduled(status, body: str) -> str | None:
    return None if status is None and body.startswith("{") else f"expected the run's JSON report, got {body!r}"


# name → (event maker, answer check)
FUNCTIONS = {
    "dispatcher": (slash_command_event, None),
    "unfurler": (unfurler_event, check_unfurler),
    "bridge": (bridge_event, check_bridge),
    "scanner": (scheduled_event, check_scheduled),
    "poller": (scheduled_event, check_scheduled),
}


def check_dispatcher(status: int, body: str) -> str | None:
    try:
        reply = json.loads(body)
    except ValueError:
        return f"expected JSON, got {body!r}"
    if status != 200 or reply.get("response_type") != "ephemeral":
        return f"expected 200 ephemeral, got {status} {body!r}"
    if "Usage: /example" not in reply.get("text", ""):
        return f"expected the help text, got {body!r}"
    return None


def check_floor(status: int, body: str) -> str | None:
    return None if (status, body) == (200, "hello") else f"expected 200 'hello', got {status} {body!r}"


def lambda_env(name: str, workdir: Path, run: int, config: Path, aws: dict | None = None) -> dict:
    """The environment Lambda gives a provided.al2023 function, plus ours.

    Starts empty rather than from os.environ, so RUST_LOG, AWS_PROFILE and the
    like on the benchmarking machine cannot change what is measured. With
    `aws` (table, secret and endpoint variables) the local-mode variables are
    left out, so config and secret can only come from the emulator.
    """
    base = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"2026/11/22/[$LATEST]{run:032x}",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIDBENCHMARK",
        "AWS_SECRET_ACCESS_KEY": "bench-secret-key",
        "AWS_SESSION_TOKEN": "bench-session-token",
        # Local mode of the dispatcher: config file and file state, no AWS calls.
        "SWITCHBOARD_CONFIG": str(config),
        "SWITCHBOARD_STATE": str(workdir / f"state-{name}-{run}.jsonl"),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    if aws is None:
        return base
    for local in ("SWITCHBOARD_CONFIG", "SWITCHBOARD_STATE", "SLACK_SIGNING_SECRET", "GITHUB_WEBHOOK_SECRET"):
        del base[local]
    return {**base, **aws}


class RunFailed(Exception):
    pass


def cold_run(binary: Path, env: dict, check, logdir: Path, event: dict | None = None) -> dict:
    """Spawns the binary for one invocation; returns its timings and peak RSS."""
    inv = Invocation(event if event is not None else slash_command_event())
    server = RuntimeApi(inv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}"}
    log_path = logdir / f"{binary.name}.stderr"
    with open(log_path, "wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen([str(binary)], env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            # Poll so a crashed binary fails the run at once instead of timing out.
            while not inv.done.wait(0.005):
                if proc.poll() is not None:
                    raise RunFailed(f"exited with {proc.returncode} before answering")
                if time.perf_counter() - start > RUN_TIMEOUT_S:
                    raise RunFailed(
                        f"no answer within {RUN_TIMEOUT_S:.0f} s (asked for work: "
                        f"{inv.first_next is not None}, got the event: {inv.handed_out})"
                    )
            if inv.error:
                raise RunFailed(inv.error)
            # Read the peak while the process is still alive; it is gone after kill.
            peak_kib = vm_hwm_kib(proc.pid)
        except RunFailed as e:
            proc.kill()
            proc.wait()
            log.flush()
            tail = log_path.read_bytes()[-2000:].decode(errors="replace")
            raise RunFailed(f"{binary}: {e}\n--- its output ---\n{tail}") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            inv.over.set()
            server.shutdown()
            server.server_close()

    reply = json.loads(inv.response)
    if isinstance(reply, dict) and "statusCode" in reply:
        body = reply.get("body") or ""
        if reply.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        problem = check(reply.get("statusCode"), body)
    else:
        # A scheduled function answers its own JSON, not an HTTP response.
        problem = check(None, inv.response.decode() if isinstance(inv.response, bytes) else str(inv.response))
    if problem:
        raise RunFailed(f"{binary}: wrong answer: {problem}")
    return {
        "cold_ms": (inv.answered_at - start) * 1000,
        "init_ms": (inv.first_next - start) * 1000,
        "peak_kib": peak_kib,
    }


def vm_hwm_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])  # reported in kB (KiB)
    raise RunFailed("no VmHWM in /proc status")


def zipped_size(binary: Path) -> int:
    """Size of the deployment zip: the binary named `bootstrap`, deflate level 9."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o100755 << 16  # executable, as Lambda requires
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, binary.read_bytes(), compresslevel=9)
    return len(buf.getvalue())


def percentile(values: list, p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dispatcher", type=Path)
    parser.add_argument("floor", type=Path)
    parser.add_argument("--runs", type=int, default=20, help="cold starts per binary")
    parser.add_argument("--config", type=Path, default=REPO / "switchboard.example.toml")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=BINARY",
                        help="another function against the same floor: unfurler, bridge, scanner, poller")
    parser.add_argument("--aws", metavar="MOTO_URL",
                        help="run the dispatcher in AWS mode against this emulator instead")
    parser.add_argument("--cli", type=Path, help="the switchboard CLI, for `config push` (with --aws)")
    parser.add_argument("--delay-ms", type=int, action="append", metavar="MS",
                        help="latency added to every emulator request (with --aws; repeatable; default 0)")
    args = parser.parse_args()
    if args.aws:
        if args.cli is None or args.also:
            parser.error("--aws needs --cli and takes no --also")
        return aws_main(args)

    subjects = {
        "dispatcher": (args.dispatcher.resolve(), check_dispatcher),
        "floor": (args.floor.resolve(), check_floor),
    }
    samples = {name: [] for name in subjects}
    with tempfile.TemporaryDirectory(prefix="lambda-bench-") as tmp:
        workdir = Path(tmp)
        try:
            # Round 0 is untimed: it pages both binaries in. Later rounds alternate
            # the order, so drift on the machine falls on both alike.
            for run in range(args.runs + 1):
                order = list(subjects) if run % 2 == 0 else list(reversed(subjects))
                for name in order:
                    binary, check = subjects[name]
                    env = lambda_env(name, workdir, run, args.config.resolve())
                    result = cold_run(binary, env, check, workdir)
                    if run > 0:
                        samples[name].append(result)
        except RunFailed as e:
            print(f"run failed: {e}", file=sys.stderr)
            return 1

    def stat(name, key, fn):
        return fn([s[key] for s in samples[name]])

    median = statistics.median
    p90 = lambda xs: percentile(xs, 90)  # noqa: E731
    mib = lambda kib: kib / 1024  # noqa: E731
    d_bin, f_bin = (subjects[n][0] for n in ("dispatcher", "floor"))
    d_zip, f_zip = zipped_size(d_bin), zipped_size(f_bin)

    # (metric, dispatcher, floor, unit format, target text, met?)
    rows = []
    d, f = stat("dispatcher", "cold_ms", median), stat("floor", "cold_ms", median)
    rows.append(("cold start to first response, median", d, f, "{:.1f} ms",
                 f"≤ {COLD_RATIO}× floor", d <= COLD_RATIO * f))
    d, f = stat("dispatcher", "cold_ms", p90), stat("floor", "cold_ms", p90)
    rows.append(("cold start to first response, p90", d, f, "{:.1f} ms", "", None))
    d, f = stat("dispatcher", "init_ms", median), stat("floor", "init_ms", median)
    rows.append(("init (spawn to first /next), median", d, f, "{:.1f} ms", "", None))
    d, f = mib(stat("dispatcher", "peak_kib", median)), mib(stat("floor", "peak_kib", median))
    rows.append(("peak memory (VmHWM), median", d, f, "{:.2f} MiB",
                 f"≤ {MEMORY_RATIO}× floor", d <= MEMORY_RATIO * f))
    d, f = d_bin.stat().st_size, f_bin.stat().st_size
    rows.append(("release binary", d / 1e6, f / 1e6, "{:.2f} MB", "", None))
    rows.append(("zipped (bootstrap, deflate -9)", d_zip / 1e6, f_zip / 1e6, "{:.2f} MB",
                 f"≤ {ZIP_LIMIT_BYTES / 1e6:.0f} MB", d_zip <= ZIP_LIMIT_BYTES))

    print(f"cold starts: {args.runs} per binary against a local Runtime API; "
          "MB = 10^6 bytes, MiB = 2^20 bytes")
    print("| metric | dispatcher | floor | ratio | target | met |")
    print("|---|---:|---:|---:|---|---|")
    for metric, d, f, fmt, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "**no**")
        print(f"| {metric} | {fmt.format(d)} | {fmt.format(f)} | {d / f:.3f}× "
              f"| {target} | {verdict} |")
    print(f"sizes in bytes: dispatcher {d_bin.stat().st_size} (zip {d_zip}), "
          f"floor {f_bin.stat().st_size} (zip {f_zip})")
    if args.also:
        return others(args, f_bin, samples["floor"])
    return 0


def others(args, floor_bin: Path, floor_samples: list) -> int:
    """Each further function's cold start and peak memory beside the floor's
    (measured again alongside, so drift falls on both alike)."""
    median = statistics.median
    print()
    print("| function | cold start, median | ÷ floor | peak memory, median | ÷ floor | zip (x86_64) | targets |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for spec in args.also:
        name, _, path = spec.partition("=")
        if name not in FUNCTIONS or name == "dispatcher" or not path:
            print(f"--also {spec!r}: expected NAME=BINARY, NAME one of unfurler, bridge, scanner, poller",
                  file=sys.stderr)
            return 2
        make_event, check = FUNCTIONS[name]
        binary = Path(path).resolve()
        fn, fl = [], []
        with tempfile.TemporaryDirectory(prefix="lambda-bench-") as tmp:
            workdir = Path(tmp)
            try:
                for run in range(args.runs + 1):
                    pair = [(name, binary, check, make_event()), ("floor", floor_bin, check_floor, None)]
                    if run % 2:
                        pair.reverse()
                    for who, b, c, ev in pair:
                        env = lambda_env(who, workdir, run, args.config.resolve())
                        r = cold_run(b, env, c, workdir, ev)
                        if run > 0:
                            (fn if who == name else fl).append(r)
            except RunFailed as e:
                print(f"run failed: {e}", file=sys.stderr)
                return 1
        c, cf = median(r["cold_ms"] for r in fn), median(r["cold_ms"] for r in fl)
        m, mf = median(r["peak_kib"] for r in fn) / 1024, median(r["peak_kib"] for r in fl) / 1024
        z = zipped_size(binary)
        met = "yes" if c <= COLD_RATIO * cf and m <= MEMORY_RATIO * mf and z <= ZIP_LIMIT_BYTES else "**no**"
        print(f"| {name} | {c:.1f} ms | {c / cf:.2f}× | {m:.2f} MiB | {m / mf:.2f}× "
              f"| {z / 1e6:.2f} MB | cold ≤ {COLD_RATIO}×, memory ≤ {MEMORY_RATIO}×, zip ≤ 4 MB: {met} |")
    return 0


class DelayProxy(ThreadingHTTPServer):
    """Forwards every request to the emulator after a fixed delay.

    On AWS each call costs a network round trip; on loopback it costs almost
    nothing, which would hide whether two calls overlap. The delay is slept
    on the request's own thread, so concurrent calls are delayed together.
    """

    daemon_threads = True

    def __init__(self, upstream: str, delay_s: float):
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.upstream = upstream.removeprefix("http://").rstrip("/")
        self.delay_s = delay_s

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class ProxyHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the SDK keeps its connections, as it does against AWS.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body
    # would wait for a delayed ACK (40 ms on Linux) on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def forward(self):
        import http.client

        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.server.delay_s)
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=RUN_TIMEOUT_S)
        try:
            upstream.request(self.command, self.path, body, dict(self.headers.items()))
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            # The body was read whole, so it goes back with a length of its own.
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward


def aws_setup(moto_url: str, cli: Path, config: Path, workdir: Path) -> dict:
    """Creates the table and the secret on the emulator and pushes the config.

    Returns the variables a deployed function gets for them, minus the endpoint.
    """
    import boto3  # only this mode needs it; the rest of the tool is stdlib

    suffix = uuid.uuid4().hex[:8]
    table, secret = f"switchboard-bench-{suffix}", f"switchboard-bench-{suffix}"
    creds = {"region_name": "us-east-1", "aws_access_key_id": "AKIDBENCHMARK",
             "aws_secret_access_key": "bench-secret-key", "endpoint_url": moto_url}
    dynamodb = boto3.client("dynamodb", **creds)
    # The deployed table's shape (template.yaml): string pk and sk, TTL on expires_at.
    dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True})
    # Every key the functions read from the secret (core's secrets::NAMES).
    boto3.client("secretsmanager", **creds).create_secret(Name=secret, SecretString=json.dumps({
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "JENKINS_USER": "bench",
        "JENKINS_TOKEN": "bench-jenkins-token",
        "BITBUCKET_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "BENCH_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }))
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "AKIDBENCHMARK", "AWS_SECRET_ACCESS_KEY": "bench-secret-key",
           "AWS_ENDPOINT_URL": moto_url, "SWITCHBOARD_TABLE": table}
    push = subprocess.run([str(cli), "config", "push", str(config)], env=env, cwd=workdir,
                          capture_output=True, text=True)
    if push.returncode != 0:
        raise RunFailed(f"config push failed: {push.stdout}{push.stderr}")
    return {"SWITCHBOARD_TABLE": table, "SWITCHBOARD_SECRET_ID": secret}


def audit_records(moto_url: str, table: str) -> int:
    """How many audit records the table holds: one per command answered."""
    import boto3

    dynamodb = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="AKIDBENCHMARK",
                            aws_secret_access_key="bench-secret-key", endpoint_url=moto_url)
    pages = dynamodb.get_paginator("scan").paginate(TableName=table)
    return sum(1 for page in pages for item in page["Items"] if item["pk"]["S"].startswith("audit#"))


def aws_main(args) -> int:
    """The dispatcher's cold start in AWS mode beside the floor, per delay."""
    dispatcher, floor = args.dispatcher.resolve(), args.floor.resolve()
    median, p90 = statistics.median, (lambda xs: percentile(xs, 90))
    rows = []
    with tempfile.TemporaryDirectory(prefix="lambda-bench-") as tmp:
        workdir = Path(tmp)
        try:
            names = aws_setup(args.aws, args.cli.resolve(), args.config.resolve(), workdir)
            for delay in args.delay_ms or [0]:
                proxy = None
                endpoint = args.aws
                if delay:
                    proxy = DelayProxy(args.aws, delay / 1000)
                    threading.Thread(target=proxy.serve_forever, daemon=True).start()
                    endpoint = proxy.url
                aws = {**names, "AWS_ENDPOINT_URL": endpoint}
                samples = {"dispatcher": [], "floor": []}
                subjects = [("dispatcher", dispatcher, check_dispatcher),
                            ("floor", floor, check_floor)]
                try:
                    # As in local mode: round 0 pages the binaries in, then the order alternates.
                    for run in range(args.runs + 1):
                        for name, binary, check in subjects if run % 2 == 0 else subjects[::-1]:
                            env = lambda_env(name, workdir, run, args.config.resolve(), aws)
                            result = cold_run(binary, env, check, workdir)
                            if run > 0:
                                samples[name].append(result)
                finally:
                    if proxy is not None:
                        proxy.shutdown()
                        proxy.server_close()
                d = [s["cold_ms"] for s in samples["dispatcher"]]
                f = [s["cold_ms"] for s in samples["floor"]]
                di = [s["init_ms"] for s in samples["dispatcher"]]
                rows.append((delay, median(d), p90(d), median(di), median(f), p90(f)))
            # The answer is given even when the audit write fails, so only the
            # table shows that every run's first request reached DynamoDB.
            answered = (args.runs + 1) * len(rows)
            audited = audit_records(args.aws, names["SWITCHBOARD_TABLE"])
            if audited != answered:
                raise RunFailed(f"{answered} commands answered but {audited} audit records in the table")
        except RunFailed as e:
            print(f"run failed: {e}", file=sys.stderr)
            return 1

    print(f"AWS mode: secret and pushed config from {args.aws}; "
          f"cold starts: {args.runs} per binary per delay")
    print("| added latency per AWS call | dispatcher cold, median | p90 | dispatcher init, median "
          "| floor cold, median | p90 | ratio of medians |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for delay, dm, dp, di, fm, fp in rows:
        print(f"| {delay} ms | {dm:.1f} ms | {dp:.1f} ms | {di:.1f} ms | {fm:.1f} ms | {fp:.1f} ms "
              f"| {dm / fm:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
