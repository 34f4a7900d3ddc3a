#!/bin/sh
# Run in the image's chroot by lab/build-image.sh: build gpio-sim (drivers/gpio/gpio-sim.c) for
# Debian's kernel, which has CONFIG_GPIO_SIM (and CONFIG_IRQ_SIM, which it needs) unset, out of
# tree from linux-source, and install it as /lib/modules/$KVER/updates/gpio-sim.ko.
set -eu
kver=$(ls /lib/modules | head -1)

tarball=$(ls /usr/src/linux-source-*.tar.xz | head -1)
top=$(basename "$tarball" .tar.xz)
b=$(mktemp -d)
tar -xJf "$tarball" -C "$b" "$top/drivers/gpio/gpio-sim.c" "$top/drivers/gpio/gpiolib.h" "$top/kernel/irq/irq_sim.c"
m=$b/mod
mkdir -p "$m"
cp "$b/$top/drivers/gpio/gpio-sim.c" "$m/gpio-sim-main.c"
cp "$b/$top/drivers/gpio/gpiolib.h" "$b/$top/kernel/irq/irq_sim.c" "$m/"
# irq_to_desc() is not exported to modules; generic_handle_irq() does the same for this use.
sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$m/irq_sim.c"
grep -q 'generic_handle_irq(irqnum);' "$m/irq_sim.c"
printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-main.o irq_sim.o\n' > "$m/Kbuild"
make -s -C "/lib/modules/$kver/build" M="$m" modules
mkdir -p "/lib/modules/$kver/updates"
cp "$m/gpio-sim.ko" "/lib/modules/$kver/updates/"
depmod "$kver"
rm -rf "$b"
echo "gpio-sim.ko built for $kver"
