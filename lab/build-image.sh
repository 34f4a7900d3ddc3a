#!/usr/bin/env bash
# The lab's Debian bookworm image (amd64): systemd as PID 1, the Debian packages `make install`
# needs on a Raspberry Pi OS system already there (as on a Pi), gpio-sim built out of tree for
# Debian's kernel (Debian does not enable CONFIG_GPIO_SIM), and the lab's own guest files (lab/guest:
# the agent the host drives the VM through, the gpio-sim chip, the Pi board stand-in).
# Usage: lab/build-image.sh OUTDIR   (root; writes OUTDIR/{vmlinuz,initrd.img,rootfs.qcow2,image.txt})
# Called by lab/run.sh when the cache has no image for this script's hash; ~4-6 min on 2 cores.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mirror=${LAB_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/hotline-lab-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

# What a Raspberry Pi OS desk has before `make install`: python3 with venv, make, and the build
# tools and headers PyAudio compiles against (the guest has no route to a package mirror, so what
# install.sh would apt-get must already be there).
pkgs=(systemd-sysv udev kmod dbus linux-image-amd64 ca-certificates procps iproute2 less
      python3 python3-venv python3-dev make build-essential portaudio19-dev libasound2-plugins
      alsa-utils sqlite3 gpiod xz-utils)
# Only to build gpio-sim; removed again in the same step.
kbuild=(linux-headers-amd64 linux-source-6.1)

t0=$(date +%s)
mmdebstrap --variant=minbase --arch=amd64 --include="$(IFS=,; echo "${pkgs[*]}")" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --customize-hook='echo hotline-lab > "$1/etc/hostname"' \
    --customize-hook='printf "127.0.1.1 hotline-lab\n" >> "$1/etc/hosts"' \
    --customize-hook='printf "/dev/vda / ext4 rw,relatime 0 1\n" > "$1/etc/fstab"' \
    --customize-hook='chroot "$1" passwd -d root' \
    --customize-hook="chroot \"\$1\" apt-get install -y -q --no-install-recommends ${kbuild[*]}" \
    --customize-hook="sync-in $here/guest /" \
    --customize-hook='chroot "$1" sh /usr/local/lib/hotline-lab/build-gpio-sim.sh' \
    --customize-hook="chroot \"\$1\" apt-get purge -y -q --autoremove ${kbuild[*]}" \
    --customize-hook='chroot "$1" apt-get clean' \
    --customize-hook='chroot "$1" groupadd --system gpio' \
    --customize-hook='chroot "$1" systemctl enable lab-agent.service lab-gpio-sim.service' \
    --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_reap.service systemd-timesyncd.service getty@tty1.service' \
    --customize-hook="cp \"\$1\"/boot/vmlinuz-* $work/vmlinuz; cp \"\$1\"/boot/initrd.img-* $work/initrd.img" \
    --customize-hook="chroot \"\$1\" dpkg-query -W -f='\${Package} \${Version}\n' linux-image-amd64 systemd python3 > $work/packages.txt" \
    bookworm "$root" "$mirror"
t1=$(date +%s)

truncate -s 4G "$work/rootfs.ext4"
mkfs.ext4 -q -F -L root -d "$root" "$work/rootfs.ext4"
qemu-img convert -O qcow2 "$work/rootfs.ext4" "$work/rootfs.qcow2"
t2=$(date +%s)

mkdir -p "$out"
mv "$work/vmlinuz" "$work/initrd.img" "$work/rootfs.qcow2" "$out/"
{
    echo "built $(date -u +%FT%TZ) from $mirror bookworm"
    cat "$work/packages.txt"
    echo "mmdebstrap ${t0:+$((t1 - t0))} s, ext4+qcow2 $((t2 - t1)) s"
} > "$out/image.txt"
cat "$out/image.txt"
