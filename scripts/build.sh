#!/usr/bin/env bash
# `make build`: every function's arm64 bootstrap zip with cargo-lambda (zig
# links for arm64, so no cross toolchain or Docker is needed), each zip's
# size, then `sam build` to prove the template builds as the README says.
# `SKIP_SAM_BUILD=1` stops after the zips.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
FUNCTIONS=(switchboard-dispatcher switchboard-unfurler switchboard-bridge switchboard-scanner switchboard-poller)

scripts/setup.sh
if ! "$VENV/bin/python" -c 'import ziglang' 2>/dev/null || [ ! -x "$VENV/bin/cargo-lambda" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==1.*" "ziglang==0.*"
fi
# cargo-lambda finds zig through `python3 -m ziglang`: the virtualenv's
# python must come first on PATH, as an absolute path, because build
# scripts run in each crate's own directory.
export PATH="$(cd "$VENV" && pwd)/bin:$PATH"
rustup target add aarch64-unknown-linux-gnu >/dev/null

bins=()
for f in "${FUNCTIONS[@]}"; do
  if [ -d "crates/$f" ]; then bins+=(--bin "$f"); fi
done
echo "== cargo lambda build --release --arm64"
cargo lambda build --release --arm64 --locked --output-format zip "${bins[@]}"

echo
echo "== zipped bootstrap sizes (arm64)"
for f in "${FUNCTIONS[@]}"; do
  zip="$TARGET_DIR/lambda/$f/bootstrap.zip"
  if [ -f "$zip" ]; then
    awk -v f="$f" -v b="$(stat -c %s "$zip")" 'BEGIN { printf "%-24s %8.2f MB\n", f, b / 1000000 }'
  fi
done

if [ -z "${SKIP_SAM_BUILD:-}" ]; then
  echo
  echo "== sam build"
  export SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
  sam build
fi
