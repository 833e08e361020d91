#!/usr/bin/env bash
# Lints template.yaml with cfn-lint and `sam validate --lint` from the
# repository's virtualenv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${VENV:-$ROOT/.venv}"
CFN_LINT="$VENV/bin/cfn-lint"

if [[ ! -x "$CFN_LINT" ]]; then
    echo "error: cfn-lint not found at $CFN_LINT" >&2
    echo "Install it with 'make setup', or:" >&2
    echo "    python3 -m venv .venv && .venv/bin/pip install cfn-lint" >&2
    exit 1
fi

"$CFN_LINT" template.yaml "$@"

# SAM's own validation (the transform, then cfn-lint's rules on the result)
# runs offline with a region set and no credentials.
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" \
    "$VENV/bin/sam" validate --lint --template template.yaml

# What the README promises about the template that no linter knows: one
# role per function, no wildcards, only the dispatcher starts the worker,
# each role writes only its own partition keys; then proof the checker
# catches a broken key rule.
"$VENV/bin/python" scripts/check-template.py template.yaml
"$VENV/bin/python" scripts/check-template.py --self-test template.yaml
