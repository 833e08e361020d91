#!/usr/bin/env bash
# Prints Switchboard's performance figures: every function's size, cold start
# and peak memory beside a hello-world lambda_http floor built with the same
# release profile (against a local Lambda Runtime API); the dispatcher's cold
# start in its AWS mode (secret and pushed config from moto, with and without
# 20 ms added to every AWS call); the dispatcher's warm in-process handling
# time; a command's round trip through `serve` over Socket Mode beside HTTP; the unfurler's link_shared to chat.unfurl latency; the scanner's
# 10,000-ticket scan; a 1 MiB Trac description to text; the poller draining a
# 100,000-action Trello backlog over successive runs; the dispatcher beside
# Slack Bolt for Python; `serve` under wrk; and `serve`'s memory over a
# million requests.
# Needs wrk for the last two parts (Debian: apt-get install wrk).
# It prints figures; it does not pass or fail on them (docs/PERFORMANCE.md
# records them). Extra arguments go to tools/lambda_bench.py, e.g. --runs 50.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}

echo "== cargo build --release"
cargo build --release --workspace --bins --examples --locked

echo
echo "== warm: in-process, a signed command through the dispatcher's router"
"$TARGET_DIR/release/examples/warm"

echo
echo "== serve: a slash command's round trip, Socket Mode envelope to ack beside HTTP"
"$TARGET_DIR/release/examples/socket_bench" "$TARGET_DIR/release/switchboard"

echo
echo "== unfurler: link_shared to chat.unfurl, in process"
"$TARGET_DIR/release/examples/unfurl_bench"

echo
echo "== scanner: 10,000 tickets over 500 pages, 50 ms a page, 50 requests/s"
"$TARGET_DIR/release/examples/scan_bench" 10000 50 4 10
echo "-- the same findings (1,000) from 2x and 4x the tickets: memory stays flat"
"$TARGET_DIR/release/examples/scan_bench" 20000 50 4 20
"$TARGET_DIR/release/examples/scan_bench" 40000 100 4 40
echo "== trac: a 1 MiB one-line description to a card's text, CPU time"
"$TARGET_DIR/release/examples/markup_bench"
echo
echo "== poller: a 100,000-action backlog drained over successive runs, in process"
"$TARGET_DIR/release/examples/poll_bench" 100000

echo
echo "== cold: local Lambda Runtime API, every function beside the floor"
python3 tools/lambda_bench.py \
  "$TARGET_DIR/release/switchboard-dispatcher" \
  "$TARGET_DIR/release/examples/floor" \
  --also unfurler="$TARGET_DIR/release/switchboard-unfurler" \
  --also bridge="$TARGET_DIR/release/switchboard-bridge" \
  --also scanner="$TARGET_DIR/release/switchboard-scanner" \
  --also poller="$TARGET_DIR/release/switchboard-poller" "$@"

VENV=${VENV:-.venv}
scripts/setup.sh >/dev/null

echo
echo "== cold, AWS mode: the dispatcher reads its secret and pushed config from moto"
# Started here as scripts/test.sh does, on a free loopback port, and stopped
# as soon as this part is done so it costs the later parts nothing.
port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_log=$(mktemp)
"$VENV/bin/python" scripts/moto-server.py 127.0.0.1 "$port" >"$moto_log" 2>&1 &
moto_pid=$!
stop_moto() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  rm -f "$moto_log"
}
trap stop_moto EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then cat "$moto_log" >&2; echo "moto_server failed to start" >&2; exit 1; fi
  sleep 0.1
done
# Direct, a call costs only moto's own work, which moto-server.py does one
# request at a time, so overlapping calls gain little; 20 ms per call is an
# assumed stand-in for a call's network and TLS time on AWS, not a measured one.
"$VENV/bin/python" tools/lambda_bench.py \
  "$TARGET_DIR/release/switchboard-dispatcher" \
  "$TARGET_DIR/release/examples/floor" \
  --aws "http://127.0.0.1:$port" --cli "$TARGET_DIR/release/switchboard" \
  --delay-ms 0 --delay-ms 20 "$@"
stop_moto
trap - EXIT

echo
echo "== beside Slack Bolt for Python (its AWS Lambda adapter on awslambdaric)"
if ! "$VENV/bin/python" -c 'import slack_bolt, awslambdaric' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "slack_bolt==1.*" "awslambdaric==4.*"
fi
"$VENV/bin/python" tools/bolt_bench.py "$TARGET_DIR"

echo
echo "== load: switchboard serve under wrk on loopback"
python3 tools/load_bench.py "$TARGET_DIR"

echo
echo "== soak: switchboard serve's memory over 1,000,000 requests"
python3 tools/soak_bench.py "$TARGET_DIR"
