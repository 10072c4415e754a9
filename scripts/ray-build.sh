#!/usr/bin/env bash
# Builds the Raycast extension with `ray build`, which needs node 22: installs it into .tools/ (git-ignored)
# when missing, and fails with ray's exit code.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node22="$root/.tools/node_modules/node/bin"
if [[ ! -x "$node22/node" ]]; then
  npm install --prefix "$root/.tools" --no-audit --no-fund --no-save node@22 >&2
fi
cd "$root/extension"
# ray type-checks with ./node_modules/.bin/tsc only; npm workspaces hoist it to the root
if [[ ! -e node_modules/.bin/tsc ]]; then
  mkdir -p node_modules/.bin
  ln -s "$root/node_modules/.bin/tsc" node_modules/.bin/tsc
fi
PATH="$node22:$PATH" "$node22/node" "$root/node_modules/@raycast/api/bin/run.js" build -e dist -o dist "$@"
