# One target per workflow; each wraps a single command, so CI and a newcomer
# run the same thing.
.PHONY: setup serve test bench build deploy lint-template fuzz

setup:
	scripts/setup.sh

# The whole workspace is built so the worker binary sits beside switchboard.
serve:
	cargo build --workspace --bins
	"$${CARGO_TARGET_DIR:-target}/debug/switchboard" serve

test:
	scripts/test.sh

bench:
	scripts/bench.sh

# Every function's arm64 zip (cargo-lambda + zig from the virtualenv), its
# size, then `sam build`.
build:
	scripts/build.sh

deploy:
	sam build && sam deploy --guided

lint-template:
	scripts/lint-template.sh

# The property tests alone, with as many cases as CASES says (the test
# command runs 10,000 each).
CASES ?= 1000000
fuzz:
	PROPTEST_CASES=$(CASES) cargo test --workspace --lib prop_tests
