#!/usr/bin/env bash
# Installs what the tests and local tooling need into .venv: the moto AWS
# emulator, cfn-lint and the SAM CLI (template checks), a stock Trac (the
# export-mode tests read a real one) and Slack's Python SDK (its Block Kit
# models check every kind of message Switchboard builds).
# Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
want="moto[server]==5.* cfn-lint==1.* aws-sam-cli==1.* Trac==1.6 slack_sdk==3.*"
if ! "$VENV/bin/python" -c 'import moto, cfnlint, samcli, trac, slack_sdk, sys; sys.exit(trac.__version__ != "1.6")' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $want
fi
if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust from https://rustup.rs first" >&2
  exit 1
fi
