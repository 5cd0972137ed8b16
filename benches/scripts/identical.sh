#!/usr/bin/env bash
# Byte-identity check of an engine change: runs the same scenarios with two sgsim binaries
# and compares every output file. Usage: identical.sh OLD_SGSIM NEW_SGSIM [SCENARIO...]
# Default scenarios: the quickstart (real cryptography) and a 10^4-node model-mode copy of
# scenarios/scale/hundred-thousand.toml. Exits non-zero on any difference.
set -euo pipefail
old=$1 new=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -eq 0 ]; then
  sed -e 's/^name = .*/name = "scale-model-10k"/' -e 's/^nodes = 100000/nodes = 10000/' \
    "$root/scenarios/scale/hundred-thousand.toml" > "$work/scale-model-10k.toml"
  printf '\n[scale]\nmode = "model"\n' >> "$work/scale-model-10k.toml"
  set -- "$root/scenarios/quickstart.toml" "$work/scale-model-10k.toml"
fi
for bin in old new; do
  "${!bin}" run "$@" --out "$work/$bin" --quiet --overwrite
done
diff -r "$work/old" "$work/new"
echo "identical: $*"
