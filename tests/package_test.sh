#!/usr/bin/env bash
# The Debian package end to end, as an operator installs it: checks the .deb that
# `make package` built (its dependencies, conffile and files), installs it system-wide with
# `apt-get install ./honeyvt_*.deb`, runs honeyvt and readlogsqltree from /usr/bin, checks
# the service user, its state folder, the key file and the systemd unit, runs a command as
# the service user, reinstalls over an edited configuration, then purges the package (and
# removes the user if this test created it). Needs root and apt (CI: .ci/run); refuses to
# run where honeyvt is already installed.
# Usage: tests/package_test.sh [RELEASE_DIR]   (default build-release)
set -u
here=$(cd "$(dirname "$0")" && pwd)
release_dir=${1:-build-release}
# shellcheck source=e2e_lib.sh
. "$here/e2e_lib.sh"
ok() { passed=$((passed+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if dpkg-query -W -f='${Status}' honeyvt 2>/dev/null | grep -q "ok installed"; then
  echo "package_test: honeyvt is already installed here; not touching it" >&2
  exit 2
fi
debs=("$release_dir"/honeyvt_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  echo "package_test: want exactly one $release_dir/honeyvt_*.deb (run make package)" >&2
  exit 2
fi
deb=$(realpath "${debs[0]}")
user_existed=false
getent passwd honeyvt >/dev/null && user_existed=true
cleanup() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq honeyvt >/dev/null 2>&1 || true
  if [ "$user_existed" = false ] && getent passwd honeyvt >/dev/null; then
    $SUDO deluser --system honeyvt >/dev/null 2>&1 || $SUDO userdel honeyvt || true
    $SUDO groupdel honeyvt >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The .deb itself.
check control 0 dpkg-deb --field "$deb" Package Version Architecture Depends
expect_in package-name out "Package: honeyvt"
depends=$(dpkg-deb --field "$deb" Depends)
for lib in libc6 libsqlite3-0 libcurl4 libssl3 libspdlog1 libfmt9 libtomlplusplus3 adduser; do
  case "$depends" in *"$lib"*) ok ;; *) bad "Depends lacks $lib: $depends" ;; esac
done
case "$depends" in *-dev*|*gtest*|*python*|*benchmark*) bad "Depends names a build-only package: $depends" ;; *) ok ;; esac
tar -xOf <(dpkg-deb --ctrl-tarfile "$deb") ./conffiles >"$tmp/conffiles" 2>/dev/null
grep -qx /etc/honeyvt/honeyvt.toml "$tmp/conffiles" && ok || bad "/etc/honeyvt/honeyvt.toml is not a conffile"
dpkg-deb --contents "$deb" >"$tmp/contents"
for f in ./usr/bin/honeyvt "./usr/bin/readlogsqltree -> honeyvt" ./usr/lib/systemd/system/honeyvt.service \
         ./usr/share/man/man1/honeyvt.1 ./usr/share/doc/honeyvt/docs/dionaea.md \
         ./usr/share/doc/honeyvt/examples/honeyvt.toml ./etc/honeyvt/honeyvt.toml; do
  grep -qF -- "$f" "$tmp/contents" && ok || bad "package lacks $f"
done
grep -q "bin/vtsim" "$tmp/contents" && bad "package holds vtsim" || ok

# Installed the way an operator installs it.
check apt-install 0 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb"
[ "$(command -v honeyvt)" = /usr/bin/honeyvt ] && ok || bad "honeyvt on PATH is $(command -v honeyvt)"
check installed-version 0 /usr/bin/honeyvt --version
expect_in installed-version out "honeyvt "
fix="$here/fixtures/dionaea"
mkdir -p "$tmp/db"
sqlite3 "$tmp/db/portable.sqlite" <"$fix/logsql_head_schema_seed.sql"
sqlite3 "$tmp/db/portable.sqlite" <"$fix/portable_data.sql"
(cd "$tmp/db" && TZ=UTC /usr/bin/readlogsqltree portable.sqlite >"$tmp/tree.txt" 2>&1)
cmp -s "$tmp/tree.txt" "$fix/expected_portable.txt" && ok || bad "/usr/bin/readlogsqltree output differs"

# The service user, its state folder and the key file.
IFS=: read -r _ _ uid _ _ home shell <<<"$(getent passwd honeyvt)"
[ -n "${uid:-}" ] && [ "$uid" -lt 1000 ] && ok || bad "no system user honeyvt (uid '${uid:-}')"
[ "${home:-}" = /var/lib/honeyvt ] && ok || bad "honeyvt's home is '${home:-}'"
case "${shell:-}" in */nologin|/bin/false) ok ;; *) bad "honeyvt's shell is '${shell:-}'" ;; esac
[ "$(stat -c '%U:%G %a' /var/lib/honeyvt)" = "honeyvt:honeyvt 750" ] && ok \
  || bad "/var/lib/honeyvt is $(stat -c '%U:%G %a' /var/lib/honeyvt)"
[ "$(stat -c '%U %a' /etc/honeyvt/honeyvt.env)" = "root 600" ] && ok \
  || bad "/etc/honeyvt/honeyvt.env is $(stat -c '%U %a' /etc/honeyvt/honeyvt.env)"
check as-service-user 0 $SUDO runuser -u honeyvt -- /usr/bin/honeyvt --config /etc/honeyvt/honeyvt.toml \
  enqueue --hash 68b329da9893e34099c7d8ad5cb9c940
[ "$(stat -c %U /var/lib/honeyvt/state.sqlite 2>/dev/null)" = honeyvt ] && ok \
  || bad "the configured state database is not the service user's"

# The unit where systemd looks, naming installed files.
unit=/usr/lib/systemd/system/honeyvt.service
[ -f "$unit" ] && ok || bad "no $unit"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze unit-paths 2>/dev/null | grep -qx -e /usr/lib/systemd/system -e /lib/systemd/system \
    && ok || bad "systemd does not search $(dirname "$unit")"
fi
grep -q '^ExecStart=/usr/bin/honeyvt run --config /etc/honeyvt/honeyvt.toml' "$unit" && ok || bad "ExecStart= of $unit"
for d in $(sed -n 's/^Documentation=//p' "$unit"); do
  case "$d" in
    file://*) [ -f "${d#file://}" ] && ok || bad "Documentation= $d missing" ;;
    man:honeyvt\(1\)) [ -f /usr/share/man/man1/honeyvt.1 ] && ok || bad "man page missing" ;;
  esac
done

# A reinstall keeps the operator's configuration (a conffile).
echo '# edited by the operator' | $SUDO tee -a /etc/honeyvt/honeyvt.toml >/dev/null
check apt-reinstall 0 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "$deb"
grep -q 'edited by the operator' /etc/honeyvt/honeyvt.toml && ok || bad "reinstall replaced the configuration"

# Purge removes everything the package and its scripts made (the user stays, by design).
check apt-purge 0 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq honeyvt
for f in /usr/bin/honeyvt /usr/bin/readlogsqltree "$unit" /etc/honeyvt /var/lib/honeyvt; do
  [ ! -e "$f" ] && ok || bad "$f left after purge"
done
finish
