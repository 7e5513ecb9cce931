#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kubectl from tools/kube (Go module proxy
# only) into a cache outside the clone, and installs etcd from Debian when it is missing, so
# test/k8s can run a real API server on 127.0.0.1. Binaries already in the cache are kept:
# a cold build takes minutes, a cached run returns at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mod="$root/tools/kube"

kube_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$mod/go.mod")"
cache="${PLATFORM_SECRETS_CACHE:-$HOME/.cache/platform-secrets}/kube/$kube_version"
bins=(kube-apiserver kube-controller-manager kubectl)

if ! command -v etcd >/dev/null 2>&1; then
  echo "kube-build: etcd missing, installing Debian's etcd-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends etcd-server >/dev/null 2>&1 || {
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends etcd-server >/dev/null
  }
  # The package starts a system etcd on 2379; the tests run their own on free ports.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
fi

missing=()
for b in "${bins[@]}"; do
  [ -x "$cache/$b" ] || missing+=("./cmd/$b")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "kube-build: cached in $cache"
  exit 0
fi

go_bin="$(command -v go || echo /usr/local/go/bin/go)"
major="${kube_version#v}"; major="${major%%.*}"
minor="${kube_version#v*.}"; minor="${minor%%.*}"
# Without these kubectl cannot parse the server's version ("v0.0.0-master+$Format:%H$")
# and refuses some commands; upstream's hack/lib/version.sh sets the same variables.
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "kube-build: building ${missing[*]} ($kube_version) into $cache"
start=$SECONDS
# One binary per go build so a failure keeps the others; the packages they share compile
# once, through Go's build cache.
for m in "${missing[@]}"; do
  b="${m#./cmd/}"
  (cd "$mod" && CGO_ENABLED=0 "$go_bin" build -trimpath -ldflags "$ldflags" -o "$tmp/$b" "$m")
  mv "$tmp/$b" "$cache/$b"
done
echo "kube-build: built in $((SECONDS - start)) s"
