#!/usr/bin/env bash
# Records the current public API of a shipped project in its PublicAPI.Unshipped.txt, so an API change is a
# reviewed diff. Usage: eng/update-public-api.sh src/MigrationKit   (run after changing public members)
set -euo pipefail
project_dir=${1:?usage: eng/update-public-api.sh <project dir>}
unshipped="$project_dir/PublicAPI.Unshipped.txt"
log=$(mktemp)
# Build with the API rules as warnings so every missing (RS0016) and removed (RS0017) entry is reported at once.
dotnet build "$project_dir" --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
added=$(grep -oP "RS0016: Symbol '\K.*(?=' is not part of the declared public API)" "$log" | sort -u || true)
removed=$(grep -oP "RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" "$log" | sort -u || true)
{
  echo "#nullable enable"
  { grep -v '^#nullable enable$' "$unshipped" || true; printf '%s\n' "$added"; } \
    | { grep -v '^$' || true; } | { grep -vxF -f <(printf '%s\n' "${removed:-$'\x01'}") || true; } | LC_ALL=C sort -u
} >"$unshipped.new"
mv "$unshipped.new" "$unshipped"
echo "added $(printf '%s\n' "$added" | grep -c . || true), removed $(printf '%s\n' "$removed" | grep -c . || true) entries in $unshipped"
grep -E " error " "$log" | grep -v -E "RS001[67]" | sort -u | head -20 || true
rm -f "$log"
