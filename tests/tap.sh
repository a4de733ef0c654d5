# tap.sh -- TAP helpers for the shell tests of the grulab command.
# Usage: . "$top_srcdir/tests/tap.sh"; plan N; ok "name" cmd...; done_testing
: "${GRULAB:=src/grulab}"
tap_n=0
tap_failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/grulab-test.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT

plan() { echo "1..$1"; tap_planned=$1; }
pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# ok NAME CMD...: passes when CMD exits 0.
ok() { name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# is NAME GOT WANT
is() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1"; diag "got:  '$2'" "want: '$3'"; fi; }
# run_cli: runs grulab with the given args; sets $rc, $out (stdout), $err (stderr).
run_cli() {
  "$GRULAB" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
  out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
}
# fails_with NAME STATUS PATTERN ARGS...: grulab ARGS must exit STATUS, print
# nothing on stdout and exactly one stderr line matching the grep -E PATTERN.
fails_with() {
  name=$1; want_rc=$2; pat=$3; shift 3
  run_cli "$@"
  lines=$(printf '%s' "$err" | grep -c '')
  if [ "$rc" = "$want_rc" ] && [ -z "$out" ] && [ "$lines" = 1 ] \
     && printf '%s\n' "$err" | grep -Eq -- "$pat"; then
    pass "$name"
  else
    fail "$name"
    diag "exit $rc (want $want_rc), stdout bytes ${#out}, stderr lines $lines:" "$err" "want /$pat/"
  fi
}
done_testing() {
  if [ -n "${tap_planned:-}" ] && [ "$tap_n" != "$tap_planned" ]; then
    diag "planned $tap_planned tests but ran $tap_n"; exit 1
  fi
  [ "$tap_failed" = 0 ]
}
