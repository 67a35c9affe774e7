#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, one after another,
# seeded from the project's own test data (read in place, never copied).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP=1 lets it
# build on a stable toolchain. Crashes land in fuzz/artifacts/TARGET/.
# Leak detection is off: the thread pools register thread-local destructors
# that LeakSanitizer reports as a 32-byte leak on every input.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
export RUSTC_BOOTSTRAP=1
declare -A seeds=(
  [plan_json]="../testdata/plans ../testdata/example ../testdata/rules ../testdata/permissions ../testdata/bedrock ../testdata/bedrock_account"
  [policy_document]="seeds/policy_document"
  [hcl]="../testdata/hcl ../testdata/permissions/hcl ../testdata/bedrock ../testdata/bedrock_account"
  [baseline]="seeds/baseline ../testdata/rules"
  [policy_file]="../policies ../testdata/rules"
)
cargo fuzz build -O
for target in plan_json policy_document hcl baseline policy_file; do
  mkdir -p "corpus/$target"
  # shellcheck disable=SC2086
  cargo fuzz run -O "$target" "corpus/$target" ${seeds[$target]} -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
    -detect_leaks=0
done
