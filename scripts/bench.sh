#!/usr/bin/env bash
# Prints Switchboard's performance figures: every function's size, cold start
# and peak memory beside a hello-world lambda_http floor built with the same
# release profile (against a local Lambda Runtime API); the dispatcher's warm
# in-process handling time; the unfurler's link_shared to chat.unfurl latency;
# the scanner's 10,000-ticket scan; the poller draining a 100,000-action
# Trello backlog over successive runs; the dispatcher beside Slack Bolt for
# Python; and `serve` under wrk.
# Needs wrk for the last part (Debian: apt-get install wrk).
# It prints figures; it does not pass or fail on them (docs/PERFORMANCE.md
# records them). Extra arguments go to tools/lambda_bench.py, e.g. --runs 50.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR=${CARGO_TARGET_DIR:-target}

echo "== cargo build --release"
cargo build --release --workspace --bins --examples --locked

echo
echo "== warm: in-process handle_command"
"$TARGET_DIR/release/examples/warm"

echo
echo "== unfurler: link_shared to chat.unfurl, in process"
"$TARGET_DIR/release/examples/unfurl_bench"

echo
echo "== scanner: 10,000 tickets over 500 pages, 50 ms a page, 50 requests/s"
"$TARGET_DIR/release/examples/scan_bench" 10000 50 4 10
echo "-- the same findings (1,000) from 2x and 4x the tickets: memory stays flat"
"$TARGET_DIR/release/examples/scan_bench" 20000 50 4 20
"$TARGET_DIR/release/examples/scan_bench" 40000 100 4 40
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

echo
echo "== beside Slack Bolt for Python (its AWS Lambda adapter on awslambdaric)"
VENV=${VENV:-.venv}
scripts/setup.sh >/dev/null
if ! "$VENV/bin/python" -c 'import slack_bolt, awslambdaric' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "slack_bolt==1.*" "awslambdaric==4.*"
fi
"$VENV/bin/python" tools/bolt_bench.py "$TARGET_DIR"

echo
echo "== load: switchboard serve under wrk on loopback"
python3 tools/load_bench.py "$TARGET_DIR"
