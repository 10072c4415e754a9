#!/usr/bin/env bash
# Builds KVSplit.alfredworkflow from alfred/: a zip with info.plist at its root, which Alfred installs when the file
# is opened. zip keeps the files' modes: the Text View's script (kva-view.sh) stays executable, as Alfred needs. Usage: scripts/build-alfred-workflow.sh [output path, default dist/KVSplit.alfredworkflow]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/dist/KVSplit.alfredworkflow}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
if ! command -v zip >/dev/null; then
  echo "build-alfred-workflow.sh: the zip command is missing (macOS has /usr/bin/zip; on Debian: apt-get install zip)" >&2
  exit 1
fi
# zip adds to an existing archive: start from nothing, so a file removed from alfred/ is not shipped
rm -f "$out"
cd "$root/alfred"
zip -q -X -r "$out" . -x '.*'
echo "$out"
