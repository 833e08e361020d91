#!/usr/bin/env bash
# Prints the dispatcher's performance figures beside a hello-world lambda_http
# floor built with the same release profile: sizes, cold start and peak memory
# against a local Lambda Runtime API, and warm in-process handling time; and
# the unfurler's link_shared to chat.unfurl latency; and the poller draining a
# 5,000-action Trello backlog.
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
echo "== poller: a 5,000-action backlog drained in one run, in process"
"$TARGET_DIR/release/examples/poll_bench" 5000

echo
echo "== cold: local Lambda Runtime API"
python3 tools/lambda_bench.py \
  "$TARGET_DIR/release/switchboard-dispatcher" \
  "$TARGET_DIR/release/examples/floor" "$@"
