#!/usr/bin/env bash
# Runs every fuzz target of the module, one after another, each for FUZZTIME (the first
# argument, else $FUZZTIME, else 30s; "1000x" means a number of inputs). New inputs that
# fail land in the package's testdata/fuzz/ and fail `go test` from then on.
#   scripts/fuzz.sh            every target for 30s
#   scripts/fuzz.sh 5m         every target for 5 minutes
#   scripts/fuzz.sh --list     print "package target" pairs and run nothing
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C # one sort order, whatever the locale

list=false
if [[ "${1:-}" == "--list" ]]; then
  list=true
  shift
fi
fuzztime="${1:-${FUZZTIME:-30s}}"

# go test -fuzz takes one target of one package at a time. Targets are found in the
# source, so a new one is fuzzed without touching this script.
targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(' . |
  sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\($#./\1 \2#; s#^\./[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\($#. \1#' |
  sort -u)
if [[ -z "$targets" ]]; then
  echo "fuzz.sh: no fuzz targets found" >&2
  exit 1
fi
if $list; then
  echo "$targets"
  exit 0
fi

failed=()
while read -r pkg target; do
  echo "=== $target ($pkg) for $fuzztime"
  if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
    failed+=("$pkg $target")
  fi
done <<< "$targets"

if (( ${#failed[@]} > 0 )); then
  echo "fuzz.sh: failing targets:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz.sh: every target ran for $fuzztime without a failure"
