#!/bin/sh
# deps.sh DEBARCH GNUTRIPLET MUSLCC QEMU
# Installs what a cross build of zoomws needs for one Debian architecture,
# through apt-get multiarch, when any piece is missing:
#   gcc-GNUTRIPLET            the cross compiler (Debian's, glibc-targeted)
#   musl-dev:DEBARCH          musl for the target and its MUSLCC wrapper
#                             (/usr/bin/MUSLCC, a specs file over the cross gcc)
#   libbearssl-dev:DEBARCH    /usr/lib/GNUTRIPLET/libbearssl.a
#   qemu-user-static          QEMU, to run the tests
# Silent when everything is there; one line when it installs.
set -eu
deb=$1 gnu=$2 muslcc=$3 qemu=$4

have() {
	command -v "$gnu-gcc" >/dev/null 2>&1 &&
	command -v "$muslcc" >/dev/null 2>&1 &&
	[ -e "/usr/lib/$gnu/libbearssl.a" ] &&
	command -v "$qemu" >/dev/null 2>&1
}
have && exit 0

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
	echo "cross: no apt-get here; install gcc-$gnu, musl-dev:$deb," \
	    "libbearssl-dev:$deb and qemu-user-static (or equivalents)" >&2
	exit 1
fi
echo "cross: installing the $deb toolchain, musl, BearSSL and qemu with apt-get"
export DEBIAN_FRONTEND=noninteractive
# Several targets may install at once under make -j: wait for dpkg's lock.
lock="-o DPkg::Lock::Timeout=600"
if [ "$(dpkg --print-architecture)" != "$deb" ] &&
    ! dpkg --print-foreign-architectures | grep -qx "$deb"; then
	dpkg --add-architecture "$deb"
fi
# A mirror in the middle of a sync can fail one index of many; what the
# install needs is judged by the install.
apt-get $lock update -qq >/dev/null 2>&1 ||
	echo "cross: apt-get update reported errors; trying the install anyway" >&2
apt-get $lock install -y -qq --no-install-recommends "gcc-$gnu" \
    "musl-dev:$deb" "libbearssl-dev:$deb" qemu-user-static >/dev/null
have || { echo "cross: $deb: still missing a piece after the install" >&2; exit 1; }
