#!/usr/bin/env bash
# Compares committed goldens with freshly generated ones, file by file. Exit 1 with the first
# path (sorted, so stable) that is missing, extra or different; exit 0 when they are the same.
#
# Usage: oracles/compare.sh COMMITTED FRESH LABEL   (LABEL: the committed folder as people know it)
set -euo pipefail
committed="$1" fresh="$2" label="$3"

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
  echo "stale golden: $label/$first" >&2
  echo "run 'npm run goldens' and commit $label" >&2
  exit 1
fi
echo "$label: up to date ($(find "$committed" -type f | wc -l | tr -d ' ') files)"
