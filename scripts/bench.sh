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
echo "== poller: a 5,000-action backlog drained in one run, in process"
"$TARGET_DIR/release/examples/poll_bench" 5000

echo
echo "== cold: local Lambda Runtime API"
python3 tools/lambda_bench.py \
  "$TARGET_DIR/release/switchboard-dispatcher" \
  "$TARGET_DIR/release/examples/floor" "$@"
