#!/usr/bin/env bash
# `cmake --install` into a temporary DESTDIR installs what an operator needs, consistently:
# honeyvt and the readlogsqltree link (both run from there), the man page, the docs the
# systemd unit's Documentation= names, the unit (its ExecStart= binary and --config file
# exist), the example configuration (which honeyvt accepts, and which a second install
# keeps when edited), and vtsim only on request.
# Usage: install_test.sh BUILD_DIR BINDIR MANDIR DOCDIR CONFIG_DIR UNIT_DIR INSTALL_VTSIM
# (absolute paths as configured; CMAKE = the cmake that configured BUILD_DIR).
set -u
build=$1 bindir=$2 mandir=$3 docdir=$4 confdir=$5 unitdir=$6 with_vtsim=$7
CMAKE=${CMAKE:-cmake}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=e2e_lib.sh
. "$here/e2e_lib.sh"
dest="$tmp/root"
ok() { passed=$((passed+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

check install 0 env DESTDIR="$dest" "$CMAKE" --install "$build"
honeyvt="$dest$bindir/honeyvt"
[ -x "$honeyvt" ] && ok || bad "no executable $honeyvt"
check installed-version 0 "$honeyvt" --version
expect_in installed-version out "honeyvt "
[ "$(readlink "$dest$bindir/readlogsqltree")" = honeyvt ] && ok || bad "readlogsqltree is not a link to honeyvt"

# readlogsqltree, run from the installed path, prints dionaea's reference output.
fix="$here/fixtures/dionaea"
mkdir -p "$tmp/db"
sqlite3 "$tmp/db/portable.sqlite" <"$fix/logsql_head_schema_seed.sql"
sqlite3 "$tmp/db/portable.sqlite" <"$fix/portable_data.sql"
(cd "$tmp/db" && TZ=UTC "$dest$bindir/readlogsqltree" portable.sqlite >"$tmp/tree.txt" 2>&1)
cmp -s "$tmp/tree.txt" "$fix/expected_portable.txt" && ok || bad "installed readlogsqltree output differs"

# The man page, its readlogsqltree alias, and every command of --help in it.
man1="$dest$mandir/man1"
[ -f "$man1/honeyvt.1" ] && ok || bad "no man page $man1/honeyvt.1"
[ "$(readlink "$man1/readlogsqltree.1")" = honeyvt.1 ] && ok || bad "readlogsqltree.1 is not a link"
"$honeyvt" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' >"$tmp/commands"
[ -s "$tmp/commands" ] && ok || bad "no commands in --help"
while read -r cmd; do
  grep -q -- "$cmd" "$man1/honeyvt.1" && ok || bad "man page does not describe '$cmd'"
done <"$tmp/commands"

# Docs: README, docs/, the example configuration.
for f in README.md docs/dionaea.md docs/configuration.md examples/honeyvt.toml; do
  [ -f "$dest$docdir/$f" ] && ok || bad "no $docdir/$f"
done

# The unit: where systemd looks (under the prefix), pointing at installed files only.
unit="$dest$unitdir/honeyvt.service"
case "$unitdir" in
  /etc/systemd/system|/lib/systemd/system|/usr/lib/systemd/system|/usr/local/lib/systemd/system) ok ;;
  *) bad "unit folder $unitdir is not one systemd searches" ;;
esac
if [ -f "$unit" ]; then
  ok
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  [ "${exec_start%% *}" = "$bindir/honeyvt" ] && ok || bad "ExecStart= runs ${exec_start%% *}, not $bindir/honeyvt"
  config=$(printf '%s\n' "$exec_start" | sed -n 's/.*--config \([^ ]*\).*/\1/p')
  [ -n "$config" ] && [ -f "$dest$config" ] && ok || bad "ExecStart= --config '$config' not installed"
  docs=$(sed -n 's/^Documentation=//p' "$unit")
  [ -n "$docs" ] && ok || bad "unit has no Documentation="
  for d in $docs; do
    case "$d" in
      file://*) [ -f "$dest${d#file://}" ] && ok || bad "Documentation= $d is not installed" ;;
      man:*) page=${d#man:}; name=${page%%(*}; section=${page#*(}; section=${section%)}
             [ -f "$dest$mandir/man$section/$name.$section" ] && ok || bad "Documentation= $d is not installed" ;;
      *) bad "Documentation= $d is neither file:// nor man:" ;;
    esac
  done
else
  bad "no unit $unit"
fi

# The example configuration where the unit reads it; honeyvt accepts it as installed and
# with every commented default turned on (api_key_file would need the key file).
cfg="$dest$confdir/honeyvt.toml"
cmp -s "$cfg" "$here/../contrib/honeyvt.toml.example" && ok || bad "$cfg is not the example"
check config-accepted 0 "$honeyvt" --config "$cfg" --state "$tmp/state.sqlite" enqueue --hash 68b329da9893e34099c7d8ad5cb9c940
sed -e 's/^# \([a-z_0-9]* *=\)/\1/' -e '/^api_key_file/d' "$cfg" >"$tmp/all.toml"
[ "$(grep -c '^[a-z_0-9]* *=' "$tmp/all.toml")" -gt 15 ] && ok || bad "commented defaults not found"
check config-defaults-accepted 0 "$honeyvt" --config "$tmp/all.toml" --state "$tmp/state.sqlite" status
# A second install keeps an operator's edits.
echo '# edited by the operator' >>"$cfg"
check reinstall 0 env DESTDIR="$dest" "$CMAKE" --install "$build"
expect_in reinstall-says-kept out "Keeping: $cfg"
grep -q 'edited by the operator' "$cfg" && ok || bad "reinstall replaced the edited configuration"

# vtsim: only with HONEYVT_INSTALL_VTSIM, or as its own component.
if [ "$with_vtsim" = ON ]; then
  [ -x "$dest$bindir/vtsim" ] && ok || bad "HONEYVT_INSTALL_VTSIM=ON but no vtsim"
else
  [ ! -e "$dest$bindir/vtsim" ] && ok || bad "vtsim installed without HONEYVT_INSTALL_VTSIM"
  check vtsim-component 0 env DESTDIR="$tmp/vtsim" "$CMAKE" --install "$build" --component vtsim
  [ -x "$tmp/vtsim$bindir/vtsim" ] && ok || bad "--component vtsim installed no vtsim"
fi
finish
