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
# skip WHY: a test that did not run, said so (TAP's SKIP directive).
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # skip $1"; }
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

# ---- a program in the background, for the tests that signal it ----------
# tap_limit: how long a wait may take before the test gives up, in tenths
# of a second: 120 s, or 600 s under memcheck (`make check-valgrind` sets
# GRL_MEMCHECK), where a program runs 50 to 200 times slower.  A wait ends
# as soon as its condition holds; the limit only bounds a failure.
tap_limit=1200
[ -n "${GRL_MEMCHECK:-}" ] && tap_limit=6000

# bg_start NAME CMD...: start CMD in the background, stdout to $TMP/out and
# stderr to $TMP/err, with SIGINT and SIGTERM at their defaults (a shell
# script's background job starts with SIGINT ignored, and grulab leaves an
# ignored signal ignored; perl restores the default, then execs CMD).
# NAME is the file name of the program CMD runs (grulab,
# ch08-long-memory): bg_is_program checks it.  Sets $pid.
#
# Under that one pid run, in turn, a copy of this shell, perl, the bash of
# libtool's wrapper script (in the build tree), the program, and the
# program again if grulab re-executes itself for its BLAS kernels.  So no
# test signals the pid before the program itself shows it is ready: it
# has opened an output (bg_has_tmp), or has its handler (bg_catches).
bg_start() {
  bg_name=$1; shift
  GRL_MEMCHECK_SIGNALS=yes perl -e '$SIG{INT} = $SIG{TERM} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' \
    "$@" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
}

# bg_ours: is $pid still the job bg_start started?  Once it has ended and
# the shell has reaped it (it may, before `wait`), its pid can be reused,
# so a pid alone is not enough to send a signal to.  On Linux the process
# must be alive (not a zombie) and a child of this shell: its parent stays
# this shell across every exec, and the shell has no other child running
# while a test waits (the `sleep` and `awk` it runs have ended).  Read with
# the shell's own `read`, so that checking starts no process.  Without
# /proc, kill -0 is all there is.  (A pid reused between this check and
# the kill that follows it, a few microseconds, is not excluded.)
bg_ours() {
  if [ -d /proc/self ]; then
    read -r bg_stat 2>/dev/null <"/proc/$pid/stat" || return 1
    # pid (comm) state ppid ...; comm may hold spaces and parentheses
    bg_stat=${bg_stat##*) }
    case $bg_stat in
      [ZX]\ *) return 1 ;;
    esac
    bg_stat=${bg_stat#* }
    [ "${bg_stat%% *}" = "$$" ]
  else
    kill -0 "$pid" 2>/dev/null
  fi
}

# bg_signal SIG: send SIG (INT, TERM, KILL) to the program if it is still
# ours; false if it is not (it has ended).
bg_signal() { bg_ours && kill -"$1" "$pid" 2>/dev/null; }

# bg_wait_for CMD...: poll CMD every 0.1 s until it succeeds (true), the
# program has ended (false) or tap_limit has passed (false).
bg_wait_for() {
  bg_i=0
  until "$@"; do
    bg_ours || return 1
    bg_i=$((bg_i + 1))
    [ "$bg_i" -gt "$tap_limit" ] && return 1
    sleep 0.1
  done
}

# bg_is_program: is $pid running the program's own executable now (NAME or
# libtool's lt-NAME), not perl or the shell of libtool's wrapper script
# that come before it under the same pid?
bg_is_program() {
  bg_exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  bg_exe=${bg_exe##*/}
  [ "$bg_exe" = "$bg_name" ] || [ "$bg_exe" = "lt-$bg_name" ]
}

# bg_catches SIG: wait until the program has its own handler for SIG (2 or
# 15) in place.  Natively /proc/PID/status shows it (SigCgt), once the pid
# runs the program itself (bg_is_program): before, the pid may be the bash
# of libtool's wrapper script, which catches SIGINT while it waits for a
# command substitution, and then dies of a SIGINT sent to it.  Under
# memcheck valgrind catches every signal itself from its start, so SigCgt
# shows nothing of the program's; there tests/memcheck/run traces signals
# (GRL_MEMCHECK_SIGNALS, set by bg_start) and the wait is for valgrind's
# record of the program's sigaction call installing a handler:
# "sys_sigaction: sigNo 2, new 0x<not 0>" in its report.  A signal sent
# after that line reaches the program's handler: valgrind holds signals
# back while it runs that call.  False where there is no /proc.
bg_catches() {
  if [ -n "${GRL_MEMCHECK:-}" ]; then
    bg_wait_for grep -Eqs "sys_sigaction: sigNo $1, new 0x[0-9a-f]*[1-9a-f]" \
      "$GRL_MEMCHECK/$bg_name.$pid.log"
  else
    [ -r "/proc/$pid/status" ] && bg_wait_for bg_has_handler "$1"
  fi
}
bg_has_handler() {
  bg_is_program && awk -v s="$1" '
      /^SigCgt:/ { h = $2; bit = s - 1; d = substr(h, length(h) - int(bit / 4), 1)
                   v = index("0123456789abcdef", tolower(d)) - 1
                   exit !(int(v / 2 ^ (bit % 4)) % 2) }' "/proc/$pid/status"
}

# bg_handled SIG: wait until a SIG (2 or 15) sent to the program is no
# longer pending in /proc/PID/status (SigPnd, ShdPnd), i.e. its handler has
# taken it (under memcheck: valgrind has, for the program's handler).
# Polled every 0.01 s, so that a test can send a second signal at once; a
# second signal still pending with the first would count as one.  True at
# once where there is no /proc.
bg_handled() {
  [ -r "/proc/$pid/status" ] || return 0
  bg_i=0
  while awk -v s="$1" '
      /^(SigPnd|ShdPnd):/ { h = $2; bit = s - 1; d = substr(h, length(h) - int(bit / 4), 1)
                            v = index("0123456789abcdef", tolower(d)) - 1
                            if (int(v / 2 ^ (bit % 4)) % 2) p = 1 }
      END { exit !p }' "/proc/$pid/status" 2>/dev/null; do
    bg_ours || return 1
    bg_i=$((bg_i + 1))
    [ "$bg_i" -gt $((tap_limit * 10)) ] && return 1
    sleep 0.01
  done
}

# bg_has_tmp PATH: grulab has opened PATH's temporary (after its handlers
# are in place).
bg_has_tmp() { [ -n "$(ls "$1".tmp-* 2>/dev/null)" ]; }

# bg_finish: wait for the program to end (at most tap_limit, then SIGKILL
# it, a failure); sets $rc, $out and $err.
bg_finish() {
  bg_wait_for false
  if bg_signal KILL; then diag "$bg_name did not stop; killed"; fi
  wait "$pid"; rc=$?
  out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
}

# bg_signalled_on_purpose SIG: under memcheck, record that the test ended
# the program by SIG (INT, TERM) on purpose, by the signal's default
# action: tests/memcheck/report.sh then does not count the memory it still
# held as leaked (its errors still count).
bg_signalled_on_purpose() {
  [ -n "${GRL_MEMCHECK:-}" ] \
    && echo "$bg_name.$pid.log SIG$1" >>"$GRL_MEMCHECK/signalled-on-purpose"
}
