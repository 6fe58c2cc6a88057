#!/usr/bin/env bash
# tests/package/deb_test.sh BUILD_DIR BUSYBOX_TAR
#
# The Debian package as a user gets it: `cpack -G DEB` in the build tree, the package's
# declared dependencies and files checked, then installed with dpkg into a fresh root
# (its own dpkg database; nothing on this machine changes), `pc run --rm` run from there
# as the unprivileged test user, and removed with dpkg again. Runs as root (ctest does).
set -euo pipefail
build=$1
busybox_tar=$2
user=${PC_TEST_USER:-tester}
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || { echo "needs root (dpkg --root, runuser)" >&2; exit 1; }
work=$(mktemp -d /tmp/pc-deb-test.XXXXXX)
chmod 0755 "$work"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# 1. The package.
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack -G DEB"; }
deb=$(ls "$work"/out/pc_*.deb)
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# 2. What it declares and contains.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for dep in uidmap fuse-overlayfs libslirp0 libseccomp2 libarchive13 libcurl4 libssl3 libc6 libcap2; do
  [[ ", $depends," == *", $dep"[\ ,]* ]] || fail "Depends lacks $dep"
done
[[ $(dpkg-deb -f "$deb" Package) == pc ]] || fail "package name"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/pc ./usr/bin/pc-monitor ./usr/share/man/man1/pc.1.gz ./usr/share/man/man1/pc-run.1.gz \
         ./usr/share/man/man1/pc-container-ls.1.gz ./usr/share/bash-completion/completions/pc \
         ./usr/share/zsh/vendor-completions/_pc ./usr/share/fish/vendor_completions.d/pc.fish; do
  grep -qxF "$f" <<<"$contents" || fail "the package lacks $f"
done

# 3. Installed into a fresh root with dpkg (its dependencies are this machine's, hence
#    --force-depends for that empty database).
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends -i "$deb" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
dpkg --root="$root" -s pc | grep -q '^Status: install ok installed' || fail "dpkg does not list pc as installed"
[[ -x $root/usr/bin/pc && -x $root/usr/bin/pc-monitor ]] || fail "pc or pc-monitor not installed"
chmod -R a+rX "$root"

# 4. A container from the installed pc, as the test user, with its own store. No shared
#    user-namespace holder (containers.conf [pc] userns_holder = false): nothing of this
#    copy of pc may outlive the test or be joined by other tests.
store="$work/store"
mkdir -p "$store"
chown "$user:" "$store"
printf '[pc]\nuserns_holder = false\n' >"$work/containers.conf"
chmod 0644 "$work/containers.conf"
as_user() {
  runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" PATH=/usr/bin:/bin \
    CONTAINERS_CONF="$work/containers.conf" "$root/usr/bin/pc" --root "$store/root" --runroot "$store/run" "$@"
}
as_user version >/dev/null || fail "pc version"
as_user import "$busybox_tar" localhost/busybox >/dev/null || fail "pc import"
out=$(as_user run --rm localhost/busybox echo hello-from-the-package) || fail "pc run --rm: $out"
[[ $out == hello-from-the-package ]] || fail "pc run --rm printed '$out'"
out=$(as_user run -d --name pkgd localhost/busybox sleep 30) || fail "pc run -d (pc-monitor): $out"
as_user rm -f -t 0 pkgd >/dev/null || fail "pc rm -f"
# the man page of the installed copy
MANPATH="$root/usr/share/man" man -P cat pc-run 2>/dev/null | grep -q -- "--publish" || fail "man pc-run"

# 5. Removed again: nothing of it left.
dpkg --root="$root" -r pc >"$work/dpkg-r.log" 2>&1 || { cat "$work/dpkg-r.log" >&2; fail "dpkg -r"; }
[[ ! -e $root/usr/bin/pc && ! -e $root/usr/share/man/man1/pc-run.1.gz ]] || fail "files left after dpkg -r"
echo "OK: package built, installed, ran a container as $user, removed"
