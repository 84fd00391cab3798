#!/bin/sh
# deps.sh DEBARCH TRIPLET TOOLS MUSLCC
# Installs what a build of zoomws for one Debian architecture needs,
# through apt-get multiarch, when any piece is missing:
#   gcc-TOOLS                 the cross compiler (Debian's, glibc-targeted;
#                             TOOLS is its triplet: i686-linux-gnu for
#                             i386); gcc for the machine's own architecture
#   musl-dev:DEBARCH          musl for the target and its MUSLCC wrapper
#                             (/usr/bin/MUSLCC, a specs file over the cross gcc)
#   libbearssl-dev:DEBARCH    /usr/lib/TRIPLET/libbearssl.a
# Silent when everything is there; one line when it installs. QEMU, which
# only the tests need, is the Makefile's deps-qemu.
set -eu
deb=$1 triplet=$2 tools=$3 muslcc=$4

have() {
	command -v "$tools-gcc" >/dev/null 2>&1 &&
	command -v "$muslcc" >/dev/null 2>&1 &&
	[ -e "/usr/lib/$triplet/libbearssl.a" ]
}
have && exit 0

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
	echo "cross: no apt-get here; install gcc-$tools, musl-dev:$deb" \
	    "and libbearssl-dev:$deb (or equivalents)" >&2
	exit 1
fi
# The machine's own architecture needs no cross compiler; the others'
# package names have no underscore: gcc-x86-64-linux-gnu.
if [ "$(dpkg --print-architecture)" = "$deb" ]; then
	gcc=gcc
else
	gcc=gcc-$(echo "$tools" | tr _ -)
fi
echo "cross: installing $gcc, musl-dev:$deb and libbearssl-dev:$deb with apt-get"
export DEBIAN_FRONTEND=noninteractive
# Several targets may install at once under make -j: wait for dpkg's lock.
lock="-o DPkg::Lock::Timeout=600"
if [ "$(dpkg --print-architecture)" != "$deb" ] &&
    ! dpkg --print-foreign-architectures | grep -qx "$deb"; then
	dpkg --add-architecture "$deb"
fi
# A mirror in the middle of a sync can fail one index of many; what the
# install needs is judged by the install.
# shellcheck disable=SC2086 # $lock is two words
apt-get $lock update -qq >/dev/null 2>&1 ||
	echo "cross: apt-get update reported errors; trying the install anyway" >&2
# shellcheck disable=SC2086
apt-get $lock install -y -qq --no-install-recommends "$gcc" \
    "musl-dev:$deb" "libbearssl-dev:$deb" >/dev/null
have || { echo "cross: $deb: still missing a piece after the install" >&2; exit 1; }
