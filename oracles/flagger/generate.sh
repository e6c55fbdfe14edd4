#!/usr/bin/env bash
# Regenerates the Flagger goldens: runs Flagger's own controller (the version pinned in go.mod)
# over the lab's Canary and writes <out>/<flagger-version>/flagger-canary/{initialize,rollback,success}.json.
# Flagger's scheduler keeps real time (analysis every 10 s at least): this takes about 3 minutes.
#
# Usage: oracles/flagger/generate.sh [OUT]   (default: helpers/testing/flagger-golden)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/helpers/testing/flagger-golden}"

if ! command -v go >/dev/null 2>&1; then
  echo "generate.sh: go is not on PATH; install Go >= 1.26 (oracles/flagger/README.md)" >&2
  exit 2
fi
version="$(cd "$here" && go list -m -f '{{.Version}}' github.com/fluxcd/flagger)"
version="${version#v}"

mkdir -p "$out"
tmp="$(mktemp -d "$out/.tmp-$version.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "== flagger $version: the lab's Canary, initialize > rollback > success (about 3 min)" >&2
(cd "$here" && go run . -manifests "$root/manifests" -out "$tmp")
rm -rf "${out:?}/$version"
mv "$tmp" "$out/$version"
trap - EXIT
echo "   $(find "$out/$version" -name '*.json' | wc -l | tr -d ' ') files in ${out#"$root"/}/$version" >&2
