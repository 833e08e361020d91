#!/usr/bin/env bash
# The one test command: formatting, lints, every test (with a local AWS
# emulator and a stock Trac it starts and stops itself) and the SAM template
# linter.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}

scripts/setup.sh

echo "== cargo fmt"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== template lint"
scripts/lint-template.sh

# Start moto on a free loopback port for the DynamoDB and ECS adapter tests.
port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
"$VENV/bin/python" scripts/moto-server.py 127.0.0.1 "$port" >"$log" 2>&1 &
moto_pid=$!
trac_pid= trac_dir=
cleanup() {
  kill $moto_pid 2>/dev/null || true
  rm -f "$log"
  if [ -n "$trac_pid" ]; then kill "$trac_pid" 2>/dev/null || true; fi
  if [ -n "$trac_dir" ]; then rm -rf "$trac_dir"; fi
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then cat "$log" >&2; echo "moto_server failed to start" >&2; exit 1; fi
  sleep 0.1
done
export MOTO_ENDPOINT="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

# Start a throwaway stock Trac (scripts/trac-fixture.py) for the test that
# reads a real one. `tracd -s` serves its one environment at the root.
trac_port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trac_dir=$(mktemp -d)
"$VENV/bin/python" scripts/trac-fixture.py "$trac_dir" "$trac_port" >"$trac_dir/tracd.log" 2>&1 &
trac_pid=$!
export TRAC_URL="http://127.0.0.1:$trac_port"
trac_up=
for _ in $(seq 1 300); do
  if curl -fsS "$TRAC_URL/ticket/1?format=csv" >/dev/null 2>&1; then trac_up=1; break; fi
  if ! kill -0 "$trac_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$trac_up" ]; then cat "$trac_dir/tracd.log" >&2; echo "the fixture Trac failed to start" >&2; exit 1; fi

# The black-box tests run `switchboard serve`, which spawns the worker
# binary beside it (or, where only the CLI is built, `switchboard worker`);
# building every binary here runs the jobs as the deployed worker would.
echo "== cargo build (binaries)"
cargo build --workspace --bins --locked

echo "== cargo test (moto at $MOTO_ENDPOINT, Trac at $TRAC_URL)"
cargo test --workspace --all-targets --locked
