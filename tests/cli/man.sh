# tests/cli/man.sh -- the manual, grulab(1): `man -l` renders it without a
# warning, `make install` puts it in man1, and it covers every subcommand
# that `grulab --help` lists and every option that each subcommand's
# --help lists (so that the page and the help cannot drift apart).
. "$top_srcdir/tests/tap.sh"
: "${top_builddir:=.}"
page=$top_builddir/doc/grulab.1
if ! command -v man >/dev/null 2>&1; then
  echo "1..0 # SKIP man is missing (Debian package man-db)"
  exit 0
fi
commands=$("$GRULAB" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
n=$(printf '%s\n' $commands | grep -c .)
plan $((4 + 2 * n))

MANWIDTH=100 man --warnings -l "$page" >"$TMP/man.raw" 2>"$TMP/man.err"
is "man -l renders grulab(1) without a warning" "$?:$(cat "$TMP/man.err")" "0:"
col -b <"$TMP/man.raw" >"$TMP/man"
ok "it has NAME, SYNOPSIS, DESCRIPTION, COMMANDS, OPTION NAMES and EXIT STATUS" \
  sh -c 'for s in NAME SYNOPSIS DESCRIPTION COMMANDS "OPTION NAMES" "EXIT STATUS"; do grep -q "^$s\$" "$1" || exit 1; done' _ "$TMP/man"
is "grulab --help lists the commands" "$(test "$n" -ge 8 && echo yes)" yes
for c in $commands; do
  ok "the page has a section for 'grulab $c'" grep -q "^   $c " "$TMP/man"
  missing=
  for o in $("$GRULAB" "$c" --help | sed -n 's/^  \(-h, \)\{0,1\}\(--[a-z-]*\).*/\2/p'); do
    grep -q -- "$o" "$TMP/man" || missing="$missing $o"
  done
  is "every option of 'grulab $c --help' is in the page" "$missing" ""
done
# `make install` (its manual part, into a scratch root) puts it in man1.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$top_builddir" \
  install-man DESTDIR="$TMP/root" >"$TMP/inst.out" 2>&1
ok "make install puts it in .../share/man/man1/grulab.1" \
  sh -c 'find "$1" -path "*/man/man1/grulab.1" | grep -q .' _ "$TMP/root"
done_testing
