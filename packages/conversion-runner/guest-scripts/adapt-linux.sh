#!/bin/sh
# vmware2scw adapt_linux: runs inside the guest (virt-customize --run), once, with the guest's own tools.
# The runner's job script is this file with the settings and the functions of adapt-network.sh put first.
# Makes a VMware Linux guest boot on Scaleway (KVM: virtio-scsi disks seen as sdX, virtio-net, UEFI, serial console).
# Every change is written to the report file, which the runner copies out and returns in the job result.
# It never aborts half-way on an optional step: each step reports ok / skipped / failed.
set -u
REPORT=/var/tmp/vmware2scw-adapt.report
: > "$REPORT"
T0=$(date +%s)
# Each line: the step, its outcome, and the seconds since the start (appliance time is what this job costs).
say() { printf '%s t=%s\n' "$*" "$(( $(date +%s) - T0 ))" >> "$REPORT"; }
have() { command -v "$1" >/dev/null 2>&1; }
export DEBIAN_FRONTEND=noninteractive
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
VIRTIO_MODULES="virtio_pci virtio_scsi virtio_blk virtio_net"
CONSOLE_ARGS="console=tty0 console=ttyS0,115200"

family=unknown
if [ -f /etc/debian_version ]; then family=debian
elif [ -f /etc/redhat-release ] || [ -f /etc/fedora-release ]; then family=rhel
elif [ -f /etc/SuSE-release ] || grep -qs 'suse' /etc/os-release; then family=suse
fi
say "family $family"

# 1. VMware tools: packages first, then the tarball installer's uninstaller.
removed=""
case $family in
  debian)
    for p in open-vm-tools-desktop open-vm-tools-dev open-vm-tools; do
      if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        if apt-get -y -q purge "$p" >/dev/null 2>&1 || dpkg --purge "$p" >/dev/null 2>&1; then removed="$removed $p"
        else say "vmware_tools failed purge $p"; fi
      fi
    done ;;
  rhel|suse)
    for p in open-vm-tools-desktop open-vm-tools; do
      if rpm -q "$p" >/dev/null 2>&1; then
        if rpm -e "$p" >/dev/null 2>&1; then removed="$removed $p"; else say "vmware_tools failed rpm-e $p"; fi
      fi
    done ;;
esac
if [ -x /usr/bin/vmware-uninstall-tools.pl ]; then
  /usr/bin/vmware-uninstall-tools.pl >/dev/null 2>&1 && removed="$removed vmware-tools-tarball" || say "vmware_tools failed tarball-uninstaller"
fi
say "vmware_tools removed${removed:- none}"

# 2. fstab by UUID: VMware device names (sdX, hdX, vdX, by-path) change on KVM; UUIDs do not.
# The device names in the guest's fstab are not the appliance's (its own disk may come first, so /dev/sda1
# may be another disk or none): a mounted entry is resolved from the device its mount point sits on
# (stat → /sys/dev/block), the name only for entries that are not mounted (swap).
uuid_of() {
  if [ -d "$2" ]; then
    num=$(stat -c '%d' "$2" 2>/dev/null)
    if [ -n "$num" ]; then
      maj=$(( (num >> 8) & 4095 )); min=$(( (num & 255) | ((num >> 12) & 1048320) ))
      name=$(basename "$(readlink -f "/sys/dev/block/$maj:$min" 2>/dev/null)" 2>/dev/null)
      if [ -n "$name" ] && [ -b "/dev/$name" ]; then
        u=$(blkid -s UUID -o value "/dev/$name" 2>/dev/null)
        if [ -n "$u" ]; then printf '%s\n' "$u"; return; fi
      fi
    fi
  fi
  blkid -s UUID -o value "$1" 2>/dev/null
}
if [ -f /etc/fstab ]; then
  cp -p /etc/fstab /etc/fstab.vmware2scw-orig
  tmp=/etc/fstab.vmware2scw-new
  : > "$tmp"
  while IFS= read -r line || [ -n "$line" ]; do
    dev=$(printf '%s\n' "$line" | awk '!/^[[:space:]]*#/ && NF>=2 {print $1}')
    mp=$(printf '%s\n' "$line" | awk '!/^[[:space:]]*#/ && NF>=2 {print $2}')
    case "$dev" in
      /dev/sd*|/dev/hd*|/dev/vd*|/dev/xvd*|/dev/disk/by-path/*|/dev/disk/by-id/*)
        uuid=$(uuid_of "$dev" "$mp")
        if [ -n "$uuid" ]; then
          printf '%s\n' "$line" | awk -v u="UUID=$uuid" '{ $1=u; print }' >> "$tmp"
          say "fstab $dev UUID=$uuid"
          continue
        fi
        say "fstab unresolved $dev" ;;
    esac
    printf '%s\n' "$line" >> "$tmp"
  done < /etc/fstab
  cat "$tmp" > /etc/fstab && rm -f "$tmp"
fi

# 3. Network: DHCP on whatever NIC name KVM gives, on every stack the guest uses (adapt-network.sh).
adapt_network

# 4. virtio drivers in the initramfs, then rebuild it (only for kernels that are installed).
# The rebuild runs inside the appliance, which is slow without KVM: it uses the fastest compression
# level for this one rebuild (a temporary conf file); the guest's own settings apply to later rebuilds.
initramfs=failed
case $family in
  debian)
    if [ -d /etc/initramfs-tools ]; then
      for m in $VIRTIO_MODULES; do grep -qx "$m" /etc/initramfs-tools/modules 2>/dev/null || echo "$m" >> /etc/initramfs-tools/modules; done
      echo COMPRESSLEVEL=1 > /etc/initramfs-tools/conf.d/zz-vmware2scw-fast.conf
      if update-initramfs -u -k all >/dev/null 2>&1; then initramfs=update-initramfs; fi
      rm -f /etc/initramfs-tools/conf.d/zz-vmware2scw-fast.conf
    fi ;;
  rhel|suse)
    mkdir -p /etc/dracut.conf.d
    echo "add_drivers+=\" $VIRTIO_MODULES \"" > /etc/dracut.conf.d/50-vmware2scw.conf
    ok=1
    for k in /lib/modules/*; do
      kv=${k##*/}
      [ -e "/boot/vmlinuz-$kv" ] || continue
      dracut -f --kver "$kv" >/dev/null 2>&1 || ok=0
    done
    [ $ok = 1 ] && initramfs=dracut ;;
esac
say "initramfs $initramfs"
# Which virtio drivers the newest kernel's initramfs really has (or has built into the kernel).
present=""
kv=$(ls -1 /lib/modules 2>/dev/null | sort -V | tail -n 1)
listing=""
if [ -n "$kv" ]; then
  for img in "/boot/initrd.img-$kv" "/boot/initramfs-$kv.img"; do
    [ -f "$img" ] || continue
    if have lsinitramfs; then listing=$(lsinitramfs "$img" 2>/dev/null); elif have lsinitrd; then listing=$(lsinitrd "$img" 2>/dev/null); fi
  done
  for m in $VIRTIO_MODULES; do
    if printf '%s\n' "$listing" | grep -q "/$m\.ko" || grep -q "/$m\.ko" "/lib/modules/$kv/modules.builtin" 2>/dev/null; then present="$present,$m"; fi
  done
fi
say "initramfs_modules ${present#,}"

# 5. Bootloader: root by UUID, serial console, no stale device map.
rm -f /boot/grub/device.map /boot/grub2/device.map
if [ -f /etc/default/grub ]; then
  cp -p /etc/default/grub /etc/default/grub.vmware2scw-orig
  sed -i -e '/^GRUB_DISABLE_LINUX_UUID=/d' -e '/^GRUB_TERMINAL=/d' -e '/^GRUB_SERIAL_COMMAND=/d' /etc/default/grub
  if grep -q '^GRUB_CMDLINE_LINUX=' /etc/default/grub; then
    grep '^GRUB_CMDLINE_LINUX=' /etc/default/grub | grep -q 'console=ttyS0' || \
      sed -i -e "s/^GRUB_CMDLINE_LINUX=\"\(.*\)\"/GRUB_CMDLINE_LINUX=\"\1 $CONSOLE_ARGS\"/" /etc/default/grub
  else
    echo "GRUB_CMDLINE_LINUX=\"$CONSOLE_ARGS\"" >> /etc/default/grub
  fi
  printf 'GRUB_TERMINAL="console serial"\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >> /etc/default/grub
fi
grubcfg=failed
if have update-grub; then update-grub >/dev/null 2>&1 && grubcfg=update-grub
elif have grub2-mkconfig; then
  for c in /boot/grub2/grub.cfg /boot/efi/EFI/*/grub.cfg; do [ -f "$c" ] && grub2-mkconfig -o "$c" >/dev/null 2>&1 && grubcfg=grub2-mkconfig; done
  have grubby && grubby --update-kernel=ALL --args="$CONSOLE_ARGS" >/dev/null 2>&1
fi
say "bootloader $grubcfg"

# 6. Packages: qemu-guest-agent, and for a BIOS Debian guest the x86_64-efi GRUB that ensure_uefi will install.
# Only from what the operator configured (runner config guest.packages), never from the guest's own sources:
# a folder of packages the runner copied in (VMWARE2SCW_PACKAGES_DIR), or one apt source line (VMWARE2SCW_APT_SOURCE,
# with guest.network: true). The runner prepends both variables to this script.
PKG_DIR=${VMWARE2SCW_PACKAGES_DIR:-}
APT_SOURCE=${VMWARE2SCW_APT_SOURCE:-}
want=""
qga=absent
if have qemu-ga || [ -x /usr/sbin/qemu-ga ] || [ -x /usr/bin/qemu-ga ]; then qga=present; else want="qemu-guest-agent"; fi
grub_efi=""
if [ "$family" = debian ] && [ -d /usr/lib/grub/i386-pc ]; then
  if [ -d /usr/lib/grub/x86_64-efi ]; then grub_efi=present; else grub_efi=absent; want="$want grub-efi-amd64-bin"; fi
fi
deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
source_used=none
if [ -n "$want" ]; then
  if [ -n "$PKG_DIR" ] && [ -d "$PKG_DIR" ]; then
    source_used=packages_dir
    case $family in
      debian) if ls "$PKG_DIR"/*.deb >/dev/null 2>&1; then timeout 300 dpkg -i "$PKG_DIR"/*.deb >/dev/null 2>&1 || true; fi ;;
      rhel|suse) if ls "$PKG_DIR"/*.rpm >/dev/null 2>&1; then timeout 300 rpm -Uvh --replacepkgs "$PKG_DIR"/*.rpm >/dev/null 2>&1 || true; fi ;;
    esac
  elif [ -n "$APT_SOURCE" ] && [ "$family" = debian ]; then
    source_used=apt_source
    APT_TMP=/var/tmp/vmware2scw-apt
    mkdir -p "$APT_TMP/lists/partial" "$APT_TMP/archives/partial" "$APT_TMP/parts"
    printf '%s\n' "$APT_SOURCE" > "$APT_TMP/sources.list"
    # the guest's own sources, lists and package cache stay as they were
    APT_OPTS="-o Acquire::http::Timeout=15 -o Acquire::https::Timeout=15 -o Acquire::Retries=1 -o DPkg::Lock::Timeout=30 -o Dir::Etc::SourceList=$APT_TMP/sources.list -o Dir::Etc::SourceParts=$APT_TMP/parts -o Dir::State::Lists=$APT_TMP/lists -o Dir::Cache::Archives=$APT_TMP/archives"
    if timeout 90 apt-get -q $APT_OPTS update >/dev/null 2>&1; then
      for p in $want; do timeout 300 apt-get -y -q $APT_OPTS install --no-install-recommends "$p" >/dev/null 2>&1 || true; done
    fi
    rm -rf "$APT_TMP"
  fi
  case $family in
    debian)
      if [ "$qga" = absent ] && deb_installed qemu-guest-agent; then qga=installed; fi
      if [ "$grub_efi" = absent ] && deb_installed grub-efi-amd64-bin; then grub_efi=installed; fi ;;
    rhel|suse) if [ "$qga" = absent ] && rpm -q qemu-guest-agent >/dev/null 2>&1; then qga=installed; fi ;;
  esac
fi
[ -n "$PKG_DIR" ] && rm -rf "$PKG_DIR"
if [ "$qga" != absent ] && have systemctl; then systemctl enable qemu-guest-agent >/dev/null 2>&1 || true; fi
if [ "$qga" = absent ]; then say "qemu_guest_agent not_installed $source_used"; else say "qemu_guest_agent $qga"; fi
if [ "$grub_efi" = absent ]; then say "grub_efi not_installed $source_used"; elif [ -n "$grub_efi" ]; then say "grub_efi $grub_efi"; fi

# 7. machine-id: a clone must not keep the source's identity (DHCP client id, journal).
if [ -f /etc/machine-id ]; then : > /etc/machine-id; fi
rm -f /var/lib/dbus/machine-id /var/lib/dhcp/*.leases
say "machine_id reset"
# The runner reads the report from this output (virt-customize has no copy-out); the file does not stay in the guest.
sed "s/^/VMWARE2SCW-REPORT /" "$REPORT"
rm -f "$REPORT"
exit 0
