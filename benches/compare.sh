#!/usr/bin/env bash
# Side by side with Checkov on the same generated inputs: a 1,000-resource
# plan, and trees of 100 and 1,000 .tf files. Not run in CI. Creates a
# temporary virtualenv with `pip install checkov`; prints each tool's wall
# time and the ratio. Usage: benches/compare.sh  (CHECKOV_TIMEOUT=seconds,
# default 900, bounds each Checkov run).
set -euo pipefail
cd "$(dirname "$0")/.."
timeout_s="${CHECKOV_TIMEOUT:-900}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet --bin trustdrift --example gen_plan
td="$PWD/target/release/trustdrift"
gen="$PWD/target/release/examples/gen_plan"

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet checkov
checkov="$work/venv/bin/checkov"
"$checkov" --version

"$gen" plan 1000 "$work/plan.json"
"$gen" tf 100 "$work/tf100"
"$gen" tf 1000 "$work/tf1000"

# Seconds of wall time for one command (output discarded, status ignored).
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

printf '%-22s %12s %12s %10s\n' input trustdrift checkov ratio
row() {
  local name="$1" td_t ck_t
  shift
  td_t=$(seconds "$td" check --fail-on never "$1")
  ck_t=$(seconds timeout "$timeout_s" "$checkov" --quiet --compact --skip-download "${@:2}")
  printf '%-22s %11.2fs %11.2fs %9.0fx\n' "$name" "$td_t" "$ck_t" "$(awk -v a="$ck_t" -v b="$td_t" 'BEGIN { print a / b }')"
}
row "plan, 1,000 resources" "$work/plan.json" -f "$work/plan.json" --framework terraform_plan
row "100 .tf files" "$work/tf100" -d "$work/tf100" --framework terraform
row "1,000 .tf files" "$work/tf1000" -d "$work/tf1000" --framework terraform
echo "(a checkov time of ${timeout_s}s means it was stopped at the timeout)"
