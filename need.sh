#!/bin/sh
# need.sh WHAT PACKAGE [PACKAGE...]
# Installs PACKAGE through the system's package manager when WHAT is
# missing. WHAT is a command name, or a path (starting with /) that must
# exist. Says so in one line when it installs; silent otherwise.
set -eu
what=$1; shift
case $what in
/*) [ -e "$what" ] && exit 0 ;;
*) command -v "$what" >/dev/null 2>&1 && exit 0 ;;
esac
if command -v apt-get >/dev/null 2>&1; then
	echo "need.sh: installing $* (for $what) with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq "$@" >/dev/null 2>&1; then
		apt-get update -qq >/dev/null 2>&1 || true
		apt-get install -y -qq "$@" >/dev/null
	fi
elif command -v apk >/dev/null 2>&1; then
	echo "need.sh: installing $* (for $what) with apk"
	apk add --quiet "$@" >/dev/null
else
	echo "need.sh: $what is missing and no package manager is known; install: $*" >&2
	exit 1
fi
