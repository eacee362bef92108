#!/usr/bin/env bash
# make fuzz: runs every fuzz target of the module for a bounded time each.
#
#   scripts/fuzz.sh [DURATION] [PACKAGE...]
#
# DURATION is go test's -fuzztime (default 20s; "1000x" counts runs instead). The
# targets are discovered with `go test -list`, so a new one takes part without being
# named here. Go runs one target per invocation, hence the loop. An input that fails is
# written under the package's testdata/fuzz/<Target>/: commit it with the fix, and it
# runs in every plain `go test` from then on, with the seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

duration=${1:-20s}
shift || true
if [ $# -eq 0 ]; then
  mapfile -t packages < <(go list ./...)
else
  mapfile -t packages < <(go list "$@")
fi

failed=()
count=0
for pkg in "${packages[@]}"; do
  # -list compiles the package's tests; a package without tests prints nothing.
  mapfile -t targets < <(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
  for target in "${targets[@]}"; do
    count=$((count + 1))
    step "$target ($pkg) for $duration"
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$duration" "$pkg"; then
      failed+=("$target ($pkg)")
    fi
  done
done

[ "$count" -gt 0 ] || fail "no fuzz targets found"
if [ ${#failed[@]} -gt 0 ]; then
  printf '\nFailing fuzz targets (inputs are under testdata/fuzz/):\n' >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
step "All $count fuzz targets ran for $duration without a failure"
