#!/bin/sh
# need.sh WHAT PACKAGE [PACKAGE...]
# need.sh 'WHAT PACKAGE...' ['WHAT PACKAGE...' ...]
# Installs the PACKAGEs of every WHAT that is missing, with one call of the
# system's package manager, and says so in one line; silent when nothing
# is missing. WHAT is a command name, or a path (starting with /) that
# must exist. The second form checks several at once.
set -eu
case ${1-} in
*' '*) ;;                   # groups, one per argument
*) set -- "$*" ;;           # one group
esac

missing='' pkgs=''
for group in "$@"; do
	set -f
	# shellcheck disable=SC2086 # split the group into its words
	set -- $group
	set +f
	what=$1; shift
	case $what in
	/*) [ -e "$what" ] && continue ;;
	*) command -v "$what" >/dev/null 2>&1 && continue ;;
	esac
	missing="$missing${missing:+, }${what##*/}"
	pkgs="$pkgs${pkgs:+ }$*"
done
[ -n "$pkgs" ] || exit 0

if command -v apt-get >/dev/null 2>&1; then
	echo "need.sh: installing $pkgs (for $missing) with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	# Another apt-get or dpkg may hold the lock: wait for it.
	lock="-o DPkg::Lock::Timeout=600"
	# shellcheck disable=SC2086 # $lock and $pkgs are lists
	if ! apt-get $lock install -y -qq $pkgs >/dev/null 2>&1; then
		apt-get $lock update -qq >/dev/null 2>&1 || true
		apt-get $lock install -y -qq $pkgs >/dev/null
	fi
elif command -v apk >/dev/null 2>&1; then
	echo "need.sh: installing $pkgs (for $missing) with apk"
	# shellcheck disable=SC2086
	apk add --quiet $pkgs >/dev/null
else
	echo "need.sh: $missing missing and no package manager is known; install: $pkgs" >&2
	exit 1
fi
