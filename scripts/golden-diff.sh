#!/usr/bin/env bash
# Runs one golden file and shows how podhop's output differs from it.
#
#   scripts/golden-diff.sh examples/seed/golden/get-pods-wide.golden
#
# The golden format is documented in docs/cli.md and tests/examples/golden_test.cpp. This
# script never rewrites a golden: read the difference, then edit the file by hand.
# The podhop binary is $PODHOP_BIN, or the newest build*/src/podhop of the repository.
set -euo pipefail

if [[ $# -ne 1 || ! -f $1 ]]; then
  echo "usage: $0 examples/NAME/golden/FILE.golden" >&2
  exit 2
fi
golden=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
example_dir=$(dirname "$(dirname "$golden")")

bin=${PODHOP_BIN:-}
if [[ -z $bin ]]; then
  bin=$(ls -t "$repo"/build*/src/podhop 2>/dev/null | head -n1 || true)
fi
[[ -n $bin && -x $bin ]] && bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
if [[ -z $bin || ! -x $bin ]]; then
  echo "no podhop binary found: build it (cmake --build build --target podhop) or set PODHOP_BIN" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Split the golden into its parts, exactly as the harness does.
awk -v dir="$tmp" '
  BEGIN { section = "head" }
  section == "head" && /^args:/ { sub(/^args:[ ]*/, ""); print > (dir "/args"); next }
  section == "head" && /^exit:/ { sub(/^exit:[ ]*/, ""); print > (dir "/exit"); next }
  section == "head" && /^--- stdout[ ]*$/ { section = "stdout"; printf "" > (dir "/stdout"); next }
  section == "stdout" && /^--- stderr[ ]*$/ { section = "stderr"; printf "" > (dir "/stderr"); next }
  section == "stdout" { print > (dir "/stdout"); next }
  section == "stderr" { print > (dir "/stderr"); next }
' "$golden"

args=$(cat "$tmp/args")
expected_exit=$(cat "$tmp/exit")
# The args line is split like shell words (quotes, no expansion): eval of a quoted set.
eval "set -- $args"

set +e
(cd "$example_dir" && "$bin" "$@" >"$tmp/actual.stdout" 2>"$tmp/actual.stderr" </dev/null)
actual_exit=$?
set -e

status=0
echo "podhop $args   (in $example_dir)"
if [[ $actual_exit != "$expected_exit" ]]; then
  echo "exit code: expected $expected_exit, got $actual_exit"
  status=1
fi
if ! diff -u --label expected.stdout --label actual.stdout "$tmp/stdout" "$tmp/actual.stdout"; then
  status=1
fi
if [[ -f $tmp/stderr ]]; then
  if ! diff -u --label expected.stderr --label actual.stderr "$tmp/stderr" "$tmp/actual.stderr"; then
    status=1
  fi
fi
[[ $status == 0 ]] && echo "matches"
exit $status
