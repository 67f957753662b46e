#!/bin/sh
# deps.sh build [test] — make sure the Debian packages the build (and the
# test suite) need are installed.  As root on Debian, installs what is
# missing with apt-get; otherwise prints the exact command and fails.
# Nothing is downloaded from anywhere but the system's package archive.
set -eu

BUILD_PKGS="make gcc pkg-config libmicrohttpd-dev libjson-c-dev libssl-dev
 libreadline-dev libcmocka-dev libcurl4-openssl-dev"
TEST_PKGS="clang libclang-rt-14-dev smbclient samba-testsuite python3-impacket
 python3-pytest python3-yaml python3-pexpect mandoc curl chromium
 chromium-driver python3-selenium"

want=""
for set in "$@"; do
	case "$set" in
	build) want="$want $BUILD_PKGS" ;;
	test) want="$want $TEST_PKGS" ;;
	*) echo "usage: $0 build [test]" >&2; exit 2 ;;
	esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; install the equivalents of:" >&2
	echo "  $want" | tr -s ' \n' ' ' >&2; echo >&2
	exit 0
fi

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: missing:$missing"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: run this as root, then try again:" >&2
	echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
