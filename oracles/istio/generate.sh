#!/usr/bin/env bash
# Regenerates the Istio goldens: for every pinned Istio line (a folder v<line>/ with its own
# go.mod), builds the oracle and writes <out>/<line>/<scenario>/<step>/<proxy>.json from
# steps.json and manifests/. `npm run goldens` runs it with the default out folder.
#
# Usage: oracles/istio/generate.sh [OUT]   (default: helpers/testing/istio-golden)
#
# The Go build is cached by Go itself (GOCACHE, GOMODCACHE; `go run` caches the linked binary
# too), so a second run on the same machine only runs the oracle.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/helpers/testing/istio-golden}"

if ! command -v go >/dev/null 2>&1; then
  echo "generate.sh: go is not on PATH; install Go >= 1.26 (oracles/istio/README.md)" >&2
  exit 2
fi

mkdir -p "$out"
# The oracle's manifests: manifests/ and, for each namespace with goldens of its own, the files
# moved into it by the suite's own renaming (oracles/istio/manifests.ts).
manifests="$(mktemp -d)"
trap 'rm -rf "$manifests"' EXIT
(cd "$root" && npx --no-install tsx oracles/istio/manifests.ts "$manifests")
lines=0
for dir in "$here"/v*/; do
  [ -f "$dir/go.mod" ] || continue
  line="$(basename "$dir")"
  line="${line#v}"
  lines=$((lines + 1))
  # A fresh folder per line, swapped in at the end: a step or scenario that no longer exists
  # leaves no stale golden behind, and a failed run leaves the old goldens intact.
  tmp="$(mktemp -d "$out/.tmp-$line.XXXXXX")"
  trap 'rm -rf "$tmp" "$manifests"' EXIT
  echo "== istio $line: oracle over $(basename "$here")/steps.json" >&2
  (cd "$dir" && go run . -steps "$here/steps.json" -manifests "$manifests" -out "$tmp")
  rm -rf "${out:?}/$line"
  mv "$tmp" "$out/$line"
  trap 'rm -rf "$manifests"' EXIT
  echo "   $(find "$out/$line" -name '*.json' | wc -l | tr -d ' ') files in ${out#"$root"/}/$line" >&2
done
if [ "$lines" -eq 0 ]; then
  echo "generate.sh: no oracle folder (v<line>/go.mod) under $here" >&2
  exit 2
fi
