# tests/cli/basics.sh -- the grulab command's GNU manners: --help and
# --version succeed on stdout; a missing or unknown command or option is a
# usage error: exit 2, nothing on stdout, exactly one line on stderr.
. "$top_srcdir/tests/tap.sh"

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
commands="init forward backward bench gradcheck train gradnorm"

plan 29

run_cli --help
is "--help exits 0" "$rc" 0
is "--help prints nothing on stderr" "$err" ""
first=$(printf '%s\n' "$out" | sed -n 1p)
is "--help starts with a usage line" "$first" "Usage: grulab COMMAND [OPTION]..."
missing=
for c in $commands; do
  printf '%s\n' "$out" | grep -Eq "^  $c " || missing="$missing $c"
done
is "--help lists every command" "$missing" ""
help=$out
run_cli -h
is "-h is --help" "$rc:$out" "0:$help"

run_cli --version
is "--version exits 0" "$rc" 0
first=$(printf '%s\n' "$out" | sed -n 1p)
is "--version's first line is 'grulab VERSION' (GNU style)" "$first" "grulab $version"
is "--version prints nothing on stderr" "$err" ""

fails_with "no arguments: usage error" 2 "^grulab: no command given"
fails_with "unknown command: usage error naming it" 2 \
  "^grulab: unknown command 'frobnicate'" frobnicate --seed 7
fails_with "unknown leading option: usage error naming it" 2 \
  "^grulab: unknown option '--frobnicate'" --frobnicate
fails_with "unknown short option: usage error naming it" 2 \
  "^grulab: unknown option '-q'" -q
fails_with "a command's name is case-sensitive" 2 \
  "^grulab: unknown command 'Train'" Train

# Every subcommand refuses an unknown flag with one line, naming it, and
# status 2.
for c in $commands; do
  fails_with "$c --no-such-flag: usage error naming the flag" 2 \
    "^grulab: $c: .*'--no-such-flag'" "$c" --no-such-flag
done

# Output that cannot be written is a failure, not a success: exit 1, one
# line on stderr (/dev/full reports ENOSPC on every write).
if [ -w /dev/full ]; then
  for args in --help --version; do
    "$GRULAB" $args >/dev/full 2>"$TMP/err"; rc=$?
    ok "grulab $args >/dev/full exits 1 with one line on stderr" \
      test "$rc" = 1 -a "$(grep -c '' "$TMP/err")" = 1
  done
  for c in $commands; do
    "$GRULAB" "$c" --help >/dev/full 2>"$TMP/err"; rc=$?
    ok "grulab $c --help >/dev/full exits 1 with one line on stderr" \
      test "$rc" = 1 -a "$(grep -c '' "$TMP/err")" = 1
  done
else
  for i in 1 2 3 4 5 6 7 8 9; do echo "ok $((tap_n + i)) # SKIP no /dev/full"; done
  tap_n=$((tap_n + 9))
fi
done_testing
