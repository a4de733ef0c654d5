# tap.sh -- TAP helpers for the shell tests of the grulab command.
# Usage: . "$top_srcdir/tests/tap.sh"; plan N; ok "name" cmd...; done_testing
: "${GRULAB:=src/grulab}"
tap_n=0
tap_nl='
'
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
# tap_read VAR FILE: VAR = FILE's text less its last newlines, as $(cat FILE)
# gives.  bash reads the file itself ($(<FILE), no cat started); another
# shell, where $(<FILE) would be empty, starts cat.  An empty file is empty.
if [ -n "${BASH_VERSION:-}" ]; then
  tap_read() { if [ -s "$2" ]; then eval "$1=\$(<\"\$2\")"; else eval "$1="; fi; }
else
  tap_read() { if [ -s "$2" ]; then eval "$1=\$(cat \"\$2\")"; else eval "$1="; fi; }
fi
# run_cli: runs grulab with the given args; sets $rc, $out (stdout), $err (stderr).
run_cli() {
  "$GRULAB" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
  tap_read out "$TMP/out"; tap_read err "$TMP/err"
}
# fails_with NAME STATUS PATTERN ARGS...: grulab ARGS must exit STATUS, print
# nothing on stdout and exactly one stderr line matching the grep -E PATTERN.
fails_with() {
  name=$1; want_rc=$2; pat=$3; shift 3
  run_cli "$@"
  # one line: not empty, no newline inside ($(...) took the last one off)
  case $err in '' | *"$tap_nl"*) lines=other ;; *) lines=1 ;; esac
  if [ "$rc" = "$want_rc" ] && [ -z "$out" ] && [ "$lines" = 1 ] \
     && grep -Eq -- "$pat" "$TMP/err"; then
    pass "$name"
  else
    fail "$name"
    lines=$(printf '%s' "$err" | grep -c '')
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
# A signal test starts a program, waits until it is ready for a signal,
# sends one and reads how the program ended.  Every wait polls a condition
# and gives up after tap_limit tenths of a second: 120 s, or 600 s under
# memcheck (`make check-valgrind`), where a program runs 50 to 200 times
# slower.  Nothing depends on timing; the limit only bounds a failure.
tap_limit=1200
[ -n "${GRL_MEMCHECK:-}" ] && tap_limit=6000

# bg_start NAME CMD...: start CMD, whose program file is NAME (grulab,
# ch08-long-memory), stdout to $TMP/out and stderr to $TMP/err; set $pid.
# A script's background job starts with SIGINT ignored, and a program
# keeps an ignored signal ignored: perl restores SIGINT and SIGTERM to
# their defaults, then execs CMD.  The pid runs perl, then libtool's
# wrapper script, then the program.
bg_start() {
  bg_name=$1; shift
  GRL_MEMCHECK_SIGNALS=yes perl -e '$SIG{INT} = $SIG{TERM} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' \
    "$@" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
}

# bg_ours: $pid is still our child and running -- not ended, not a pid
# the system gave to another process since (/proc/PID/stat: "PID (COMM)
# STATE PPID ..."; COMM may hold blanks).  Without /proc, kill -0.
bg_ours() {
  [ -d /proc/self ] || { kill -0 "$pid" 2>/dev/null; return; }
  read -r bg_stat 2>/dev/null <"/proc/$pid/stat" || return 1
  bg_stat=${bg_stat##*) }
  case $bg_stat in [ZX]\ *) return 1 ;; esac
  bg_stat=${bg_stat#* }
  [ "${bg_stat%% *}" = "$$" ]
}

# bg_signal SIG: send SIG (INT, TERM, KILL) if the program is still ours.
bg_signal() { bg_ours && kill -"$1" "$pid" 2>/dev/null; }

# bg_poll DT MAX CMD...: run CMD every DT seconds until it succeeds (true),
# the program has ended or MAX polls have failed (false).
bg_poll() {
  bg_dt=$1 bg_max=$2 bg_i=0; shift 2
  until "$@"; do
    bg_ours || return 1
    bg_i=$((bg_i + 1))
    [ "$bg_i" -gt "$bg_max" ] && return 1
    sleep "$bg_dt"
  done
}
bg_wait_for() { bg_poll 0.1 "$tap_limit" "$@"; }

# bg_sig_in FIELDS SIG: is SIG's bit set in a /proc/$pid/status line
# FIELDS (an awk pattern: SigCgt, "SigPnd|ShdPnd"), a mask in hex?
bg_sig_in() {
  awk -v f="^($1):" -v s="$2" '$0 ~ f {
      d = substr($2, length($2) - int((s - 1) / 4), 1)
      v = index("0123456789abcdef", tolower(d)) - 1
      if (int(v / 2 ^ ((s - 1) % 4)) % 2) set = 1 }
    END { exit !set }' "/proc/$pid/status" 2>/dev/null
}

# bg_is_program: the pid runs the program itself now (NAME, or libtool's
# lt-NAME), not perl or the wrapper script, whose bash catches SIGINT
# while it waits and would die of it.
bg_is_program() {
  bg_exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  bg_exe=${bg_exe##*/}
  [ "$bg_exe" = "$bg_name" ] || [ "$bg_exe" = "lt-$bg_name" ]
}

# bg_catches SIG: wait until the program has its own handler for SIG (2,
# 15): /proc shows it (SigCgt).  Under memcheck valgrind catches every
# signal itself, so the wait is for its trace of the program's sigaction
# (tests/memcheck/run logs it when bg_start sets GRL_MEMCHECK_SIGNALS); a
# signal sent after that line reaches the program's handler.
bg_catches() {
  if [ -n "${GRL_MEMCHECK:-}" ]; then
    bg_wait_for grep -Eqs "sys_sigaction: sigNo $1, new 0x[0-9a-f]*[1-9a-f]" \
      "$GRL_MEMCHECK/$bg_name.$pid.log"
  else
    [ -r "/proc/$pid/status" ] && bg_wait_for bg_has_handler "$1"
  fi
}
bg_has_handler() { bg_is_program && bg_sig_in SigCgt "$1"; }

# bg_handled SIG: wait until a SIG sent is no longer pending -- its handler
# has taken it -- polling every 0.01 s, so that a second signal can follow
# at once without merging into the first.  True at once without /proc.
bg_handled() {
  [ -r "/proc/$pid/status" ] || return 0
  bg_poll 0.01 $((tap_limit * 10)) bg_not_pending "$1"
}
bg_not_pending() { ! bg_sig_in 'SigPnd|ShdPnd' "$1"; }

# bg_has_tmp PATH: the program has opened PATH's temporary (after its
# handlers are in place).
bg_has_tmp() { [ -n "$(ls "$1".tmp-* 2>/dev/null)" ]; }

# bg_finish: wait for the program to end (at most tap_limit, then SIGKILL
# it, a failure); set $rc, $out and $err.
bg_finish() {
  bg_wait_for false
  if bg_signal KILL; then diag "$bg_name did not stop; killed"; fi
  wait "$pid"; rc=$?
  out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
}

# bg_signalled_on_purpose SIG: under memcheck, record that the test ended
# the program by SIG's default action, so that tests/memcheck/report.sh
# does not count what it held as leaked.
bg_signalled_on_purpose() {
  [ -n "${GRL_MEMCHECK:-}" ] \
    && echo "$bg_name.$pid.log SIG$1" >>"$GRL_MEMCHECK/signalled-on-purpose"
}
