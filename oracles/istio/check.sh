#!/usr/bin/env bash
# CI: regenerates every Istio golden into a temporary folder and compares it with the
# committed helpers/testing/istio-golden. The first differing path fails the run (exit 1),
# so a manifest or steps.json change without regenerated goldens is a red build.
# Also checks the oracle's Go code: gofmt, go vet.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
committed="$root/helpers/testing/istio-golden"

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

# Every path either side, sorted, so "first" is stable; the first that is missing, extra or
# different fails the run.
mkdir -p "$committed"
first=""
while IFS= read -r rel; do
  if [ ! -f "$committed/$rel" ]; then
    first="$rel (generated, but not committed)"
  elif [ ! -f "$fresh/$rel" ]; then
    first="$rel (committed, but no longer generated)"
  elif ! cmp -s "$committed/$rel" "$fresh/$rel"; then
    first="$rel (differs from what the oracle generates)"
  fi
  [ -n "$first" ] && break
done < <({ (cd "$committed" && find . -type f); (cd "$fresh" && find . -type f); } | sed 's|^\./||' | LC_ALL=C sort -u)

if [ -n "$first" ]; then
  echo "check.sh: stale Istio golden: helpers/testing/istio-golden/$first" >&2
  echo "check.sh: run 'npm run goldens' and commit helpers/testing/istio-golden" >&2
  exit 1
fi
echo "istio goldens: up to date ($(find "$committed" -type f | wc -l | tr -d ' ') files)"
