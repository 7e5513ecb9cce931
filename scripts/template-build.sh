#!/usr/bin/env bash
# Builds tools/template (Go text/template + sprig from the Go module proxy, ESO's helpers
# reimplemented) into a cache outside the clone, keyed by a hash of its sources, and prints
# the binary's path. A cached build returns at once; a changed source builds a new one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mod="$root/tools/template"
go_bin="$(command -v go || echo /usr/local/go/bin/go)"
[ -x "$go_bin" ] || { echo "template-build: no Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2; exit 3; }

hash="$(cd "$mod" && { "$go_bin" version; cat go.mod go.sum ./*.go; } | sha256sum | cut -c1-16)"
cache="${PLATFORM_SECRETS_CACHE:-$HOME/.cache/platform-secrets}/template/$hash"
bin="$cache/template"
if [ ! -x "$bin" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp "$cache/.build.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
  (cd "$mod" && CGO_ENABLED=0 nice "$go_bin" build -trimpath -o "$tmp" .) >&2
  mv "$tmp" "$bin"
fi
echo "$bin"
