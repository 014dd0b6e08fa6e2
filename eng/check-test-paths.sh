#!/usr/bin/env bash
# Checks that every test the docs name exists: each `tests/...` path, each `Folder/NameTests` (with or without .cs)
# and each `Folder/Name.cs` named in README.md, CONTRIBUTING.md and docs/ (with docs/adr/) is a file of this repository (a
# `Folder/Name` is looked for as a path ending in it, under tests/, src/ or samples/). Prints what it cannot find;
# exits 1 if anything is missing. Run it after moving or renaming a test file.
set -uo pipefail
cd "$(dirname "$0")/.."

docs=(README.md CONTRIBUTING.md docs/*.md docs/*/*.md)
files=$(git ls-files tests src samples 2>/dev/null || find tests src samples -type f)
missing=0

while IFS=: read -r doc reference; do
  [ -n "$reference" ] || continue
  if [[ "$reference" == tests/* ]]; then
    path=${reference%%.cs}
    [ -e "$path.cs" ] || [ -e "$path" ] || { echo "$doc: $reference does not exist"; missing=1; }
  else
    name=${reference%.cs}.cs
    grep -qE "(^|/)$(printf '%s' "$name" | sed 's/\./\\./g')\$" <<<"$files" || { echo "$doc: $reference matches no file"; missing=1; }
  fi
done < <(grep -oHE '(tests/[A-Za-z0-9_./-]*[A-Za-z0-9_]|\b[A-Z][A-Za-z0-9.]*/[A-Z][A-Za-z0-9]*Tests(\.cs)?\b|\b[A-Z][A-Za-z0-9]*/[A-Z][A-Za-z0-9]*\.cs\b)' "${docs[@]}" | sort -u)

if [ "$missing" -eq 0 ]; then echo "check-test-paths: every test file the docs name exists"; fi
exit "$missing"
