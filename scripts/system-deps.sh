#!/bin/sh
# Debian packages the tests and the conversion runner need. Installs the missing ones when run as root
# (apt-get update once), otherwise lists them and fails. Idempotent: does nothing when all are present.
set -eu
PACKAGES="
  qemu-utils qemu-system-x86 ovmf
  libguestfs-tools guestfs-tools virt-v2v nbdkit
  linux-image-amd64 gdisk fdisk dosfstools e2fsprogs mmdebstrap
  swift swift-proxy swift-account swift-container swift-object memcached
  golang-go golang-github-vmware-govmomi-dev
  chromium
"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages:$missing" >&2
  echo "Install them as root: apt-get install -y$missing" >&2
  exit 1
fi
echo "Installing Debian packages:$missing"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
