#!/bin/sh
# Builds the vcsim launcher (main.go) against Debian's golang-github-vmware-govmomi-dev in GOPATH mode
# and prints the path of the binary. The binary lands in a cache directory keyed by a hash of the
# source, the Go version and the govmomi package version, so a rebuild happens only when one changes.
#
# Needs: apt-get install golang-go golang-github-vmware-govmomi-dev
# Env:   VMWARE2SCW_CACHE_DIR (default /var/cache/vmware2scw, or ~/.cache/vmware2scw if not writable)
#        VMWARE2SCW_GOPATH   (default /usr/share/gocode)
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
gopath=${VMWARE2SCW_GOPATH:-/usr/share/gocode}

if ! command -v go >/dev/null 2>&1; then
  echo "vcsim build: 'go' not found; install the Debian packages golang-go and golang-github-vmware-govmomi-dev" >&2
  exit 2
fi
if [ ! -d "$gopath/src/github.com/vmware/govmomi/simulator" ]; then
  echo "vcsim build: govmomi simulator not found under $gopath; install golang-github-vmware-govmomi-dev" >&2
  exit 2
fi

cache=${VMWARE2SCW_CACHE_DIR:-/var/cache/vmware2scw}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmware2scw
  mkdir -p "$cache"
fi

govmomi_version=$(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev 2>/dev/null || echo unknown)
hash=$( { cat "$here/main.go"; go version; echo "$govmomi_version"; } | sha256sum | cut -c1-16)
out="$cache/vcsim-$hash"

if [ ! -x "$out" ]; then
  # The default Go build cache may sit in an unwritable HOME (CI users); keep ours next to the binary.
  export GOCACHE="${GOCACHE:-$cache/go-build}"
  mkdir -p "$GOCACHE"
  tmp="$out.tmp.$$"
  (cd "$here" && GO111MODULE=off GOPATH="$gopath" GOFLAGS= go build -o "$tmp" main.go)
  # Rename is atomic: concurrent builds (parallel test workers) never see a half-written binary.
  mv -f "$tmp" "$out"
fi

echo "$out"
