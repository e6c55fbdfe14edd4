#!/usr/bin/env bash
# CI: checks the oracle's Go code (gofmt, go vet), regenerates every Istio golden into a
# temporary folder and compares it with the committed helpers/testing/istio-golden. The first
# differing path fails the run (exit 1): a manifest or steps.json changed without regenerated
# goldens is a red build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

for dir in "$here"/v*/; do
  [ -f "$dir/go.mod" ] || continue
  unformatted="$(cd "$dir" && gofmt -l .)"
  if [ -n "$unformatted" ]; then
    echo "check.sh: gofmt: ${dir#"$root"/}$unformatted is not formatted (run gofmt -w)" >&2
    exit 1
  fi
  (cd "$dir" && go vet ./...)
done

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$here/generate.sh" "$fresh"
"$here/../compare.sh" "$root/helpers/testing/istio-golden" "$fresh" helpers/testing/istio-golden
