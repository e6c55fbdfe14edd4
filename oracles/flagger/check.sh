#!/usr/bin/env bash
# CI: checks the Flagger oracle's Go code (gofmt, go vet), regenerates the Flagger goldens into
# a temporary folder (about 3 minutes: Flagger keeps real time) and compares them with the
# committed helpers/testing/flagger-golden; the first differing path fails the run (exit 1).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

unformatted="$(cd "$here" && gofmt -l .)"
if [ -n "$unformatted" ]; then
  echo "check.sh: gofmt: oracles/flagger/$unformatted is not formatted (run gofmt -w)" >&2
  exit 1
fi
(cd "$here" && go vet ./...)

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$here/generate.sh" "$fresh"
"$here/../compare.sh" "$root/helpers/testing/flagger-golden" "$fresh" helpers/testing/flagger-golden
