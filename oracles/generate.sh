#!/usr/bin/env bash
# `npm run goldens`: regenerates the goldens of every oracle, or of those named.
#   npm run goldens              # istio (seconds) and flagger (about 3 minutes)
#   npm run goldens -- istio     # only the Istio goldens
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
oracles=("$@")
[ "${#oracles[@]}" -gt 0 ] || oracles=(istio flagger)
for o in "${oracles[@]}"; do
  if [ ! -x "$here/$o/generate.sh" ]; then
    echo "goldens: no oracle '$o' (known: istio, flagger)" >&2
    exit 2
  fi
done
for o in "${oracles[@]}"; do
  "$here/$o/generate.sh"
done
