#!/bin/sh
# The desk's GPIO header in the lab: a gpio-sim chip of 54 lines (BCM numbering, as the Pi's
# gpiochip0), and the Pi board stand-in for gpiozero (see lab-board.conf).
set -eu
modprobe gpio-sim
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
c=/sys/kernel/config/gpio-sim/hotline
if [ ! -e "$c/live" ] || [ "$(cat "$c/live")" != 1 ]; then
    mkdir -p "$c/bank0"
    echo 54 > "$c/bank0/num_lines"
    echo 1 > "$c/live"
fi
udevadm settle
chip=$(cat "$c/bank0/chip_name")
dev=$(cat "$c/dev_name")
mkdir -p /run/hotline-lab
ln -sfn "/sys/devices/platform/$dev/$chip" /run/hotline-lab/gpio
# gpiozero identifies the board from /proc/device-tree (absent on this PC) or the Revision line of
# /proc/cpuinfo: this copy says Raspberry Pi 4 Model B rev 1.1 (c03111); lab-board.conf binds it
# over /proc/cpuinfo for the hotline service only.
{ cat /proc/cpuinfo; printf 'Hardware\t: BCM2835\nRevision\t: c03111\nModel\t\t: Raspberry Pi 4 Model B Rev 1.1 (hotline lab stand-in)\n'; } > /run/hotline-lab/cpuinfo
echo "lab: gpio-sim $chip on /dev/$chip ($(stat -c '%G %a' "/dev/$chip"))"
