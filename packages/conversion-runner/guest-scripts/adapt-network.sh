# vmware2scw adapt_linux, network step: the runner puts these functions in the job script before
# adapt-linux.sh (which calls adapt_network); the tests source this file and run it on a folder (ROOT).
# DHCP on whatever NIC name KVM gives: Scaleway assigns the addresses, and VMware's NIC names (ens192)
# and MACs do not exist there. A configuration bound to a NIC name or MAC is moved aside (disabled, kept
# for reference), never deleted; the report names each stack changed and each file kept aside that
# held a static address. Needs say() from the caller; ROOT is empty in the guest.

net_is_static() {
  grep -Eqs '^[[:space:]]*(Address[[:space:]]*=|Gateway[[:space:]]*=|address[0-9]+[[:space:]]*=|addresses:|IPADDR[0-9]*=|GATEWAY=|method=manual|iface[[:space:]].*inet6?[[:space:]]+static)' "$1"
}

# net_keep_aside FILE DIR: disables FILE by moving it into DIR, where its stack does not read it.
net_keep_aside() {
  mkdir -p "$2"
  mv -f "$1" "$2/"
  if net_is_static "$2/${1##*/}"; then say "network_static_kept_aside ${2#"$ROOT"}/${1##*/}"; fi
}

# A systemd-networkd .network file bound to one NIC: [Match] by a name without wildcard, a MAC or a path.
networkd_bound() {
  awk '
    /^[[:space:]]*\[/ { m = ($0 ~ /^[[:space:]]*\[Match\]/); next }
    m && /^[[:space:]]*(MACAddress|PermanentMACAddress|Path)[[:space:]]*=/ { b = 1 }
    m && /^[[:space:]]*Name[[:space:]]*=/ {
      v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v)
      if (v !~ /[*?[]/ && v != "lo") b = 1
    }
    END { exit !b }' "$1"
}

# A NetworkManager keyfile of an Ethernet profile bound to a NIC name or MAC.
nm_keyfile_bound() {
  grep -Eqs '^[[:space:]]*type[[:space:]]*=[[:space:]]*(ethernet|802-3-ethernet)[[:space:]]*$' "$1" &&
    grep -Eqs '^[[:space:]]*(interface-name|mac-address)[[:space:]]*=' "$1"
}

# A RHEL ifcfg file of an Ethernet NIC bound to its name or MAC (not the loopback).
ifcfg_bound() {
  case "${1##*/}" in ifcfg-lo) return 1 ;; esac
  grep -Eqs '^[[:space:]]*TYPE=["'\'']?(Ethernet|)["'\'']?[[:space:]]*$' "$1" || ! grep -qs '^[[:space:]]*TYPE=' "$1" || return 1
  grep -Eqs '^[[:space:]]*(DEVICE|HWADDR|MACADDR)=' "$1"
}

adapt_network() {
  R=${ROOT:-}
  stacks=""
  # netplan (renderer networkd or NetworkManager): every file aside, one DHCP file on any e* NIC.
  if ls "$R"/etc/netplan/*.yaml >/dev/null 2>&1; then
    renderer=""
    if grep -Eqsi '^[[:space:]]*renderer:[[:space:]]*NetworkManager' "$R"/etc/netplan/*.yaml; then renderer="  renderer: NetworkManager"; fi
    for f in "$R"/etc/netplan/*.yaml; do net_keep_aside "$f" "$R/etc/netplan/vmware2scw-disabled"; done
    {
      printf 'network:\n  version: 2\n'
      [ -n "$renderer" ] && printf '%s\n' "$renderer"
      printf '  ethernets:\n    any-nic:\n      match: { name: "e*" }\n      dhcp4: true\n      dhcp6: true\n'
    } > "$R/etc/netplan/50-vmware2scw.yaml"
    chmod 600 "$R/etc/netplan/50-vmware2scw.yaml"
    stacks="$stacks+netplan"
  elif [ -f "$R/etc/network/interfaces" ] && [ "${family:-}" = debian ]; then
    cp -p "$R/etc/network/interfaces" "$R/etc/network/interfaces.vmware2scw-orig"
    if net_is_static "$R/etc/network/interfaces"; then say "network_static_kept_aside /etc/network/interfaces.vmware2scw-orig"; fi
    if [ -d "$R/etc/network/interfaces.d" ] && [ -n "$(ls -A "$R/etc/network/interfaces.d" 2>/dev/null)" ]; then
      for f in "$R"/etc/network/interfaces.d/*; do net_keep_aside "$f" "$R/etc/network/interfaces.d.vmware2scw-disabled"; done
    fi
    cat > "$R/etc/network/interfaces" <<'IF'
# Written by vmware2scw: DHCP on any NIC name (the VMware configuration is in interfaces.vmware2scw-orig).
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

# ifupdown expands these patterns at boot (ifup -a); "allow-hotplug" does not take patterns.
auto /en*=scwnic
auto /eth*=scwnic
iface scwnic inet dhcp
IF
    stacks="$stacks+ifupdown"
  fi
  # systemd-networkd: files bound to a VMware NIC aside, DHCP on any Ethernet NIC named en*/eth*.
  moved=0
  for f in "$R"/etc/systemd/network/*.network; do
    [ -f "$f" ] || continue
    if networkd_bound "$f"; then net_keep_aside "$f" "$R/etc/systemd/network/vmware2scw-disabled"; moved=1; fi
  done
  if [ $moved = 1 ] || [ -e "$R/etc/systemd/system/multi-user.target.wants/systemd-networkd.service" ]; then
    mkdir -p "$R/etc/systemd/network"
    printf '# Written by vmware2scw: DHCP on any Ethernet NIC (the VMware files are in vmware2scw-disabled/).\n[Match]\nType=ether\nName=en* eth*\n\n[Network]\nDHCP=yes\n' \
      > "$R/etc/systemd/network/50-vmware2scw-dhcp.network"
    stacks="$stacks+systemd-networkd"
  fi
  # NetworkManager keyfiles and RHEL ifcfg files bound to a VMware NIC aside; one DHCP profile without
  # an interface name, which NetworkManager applies to any Ethernet NIC.
  moved=0
  for f in "$R"/etc/NetworkManager/system-connections/*; do
    [ -f "$f" ] || continue
    if nm_keyfile_bound "$f"; then net_keep_aside "$f" "$R/etc/NetworkManager/vmware2scw-disabled"; moved=1; fi
  done
  ifcfg=0
  for f in "$R"/etc/sysconfig/network-scripts/ifcfg-*; do
    [ -f "$f" ] || continue
    if ifcfg_bound "$f"; then net_keep_aside "$f" "$R/etc/sysconfig/network-scripts.vmware2scw-disabled"; ifcfg=1; fi
  done
  if [ -d "$R/etc/NetworkManager" ]; then
    mkdir -p "$R/etc/NetworkManager/system-connections" "$R/etc/NetworkManager/conf.d"
    uuid=$(cat /proc/sys/kernel/random/uuid 2>/dev/null || echo 5c0e2b6a-3d1f-4e8a-9b7c-2a4f6d8e0c15)
    printf '[connection]\nid=vmware2scw-dhcp\nuuid=%s\ntype=ethernet\nautoconnect=true\nautoconnect-priority=-10\n\n[ethernet]\n\n[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n' "$uuid" \
      > "$R/etc/NetworkManager/system-connections/vmware2scw-dhcp.nmconnection"
    chmod 600 "$R/etc/NetworkManager/system-connections/vmware2scw-dhcp.nmconnection"
    # and a default DHCP connection for any NIC NetworkManager sees first
    printf '[main]\nno-auto-default=\n' > "$R/etc/NetworkManager/conf.d/00-vmware2scw.conf"
    [ $ifcfg = 1 ] && stacks="$stacks+ifcfg"
    stacks="$stacks+networkmanager"
  elif [ $ifcfg = 1 ]; then
    # the legacy network service needs one ifcfg file per NIC name: one for the usual KVM names
    for n in eth0 ens2 ens3 enp1s0; do
      printf 'DEVICE=%s\nTYPE=Ethernet\nBOOTPROTO=dhcp\nONBOOT=yes\n' "$n" > "$R/etc/sysconfig/network-scripts/ifcfg-$n"
    done
    stacks="$stacks+ifcfg"
  fi
  rm -f "$R/etc/udev/rules.d/70-persistent-net.rules"
  stacks=${stacks#+}
  say "network ${stacks:-none}"
}
