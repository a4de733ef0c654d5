# tests/cli/interrupt.sh -- `grulab train` stopped by SIGINT or SIGTERM:
# the step under way finishes, --save and --log are written whole (the
# parameters are exactly those of an uninterrupted run of as many steps),
# one line says where it stopped, and the exit status is 130 (SIGTERM 143).
# A second SIGINT ends it at once and leaves earlier files untouched.
# Chapters 8 and 9 stop their trainings the same way, write no chart, and
# exit 130.
# (--task text is tested in tests/cli/text.sh.)
#
# Nothing here depends on timing: the signal is sent once the command has
# its handler in place (it has opened its outputs, or /proc shows it),
# whatever step it has reached; the checks then hold for the step it
# reports.  Every wait is on a condition, bounded by tap_limit, and every
# signal is sent only to a process that is still the one the test started
# (tests/tap.sh: bg_start, bg_catches, bg_signal, bg_finish).
#
# Under memcheck (`make check-valgrind`: $GRULAB runs grulab under
# valgrind) chapters 8 and 9 run under it too, and valgrind's report of each run
# is checked by tests/memcheck/report.sh: the runs stopped by one signal
# end normally, so all their memory must be freed; the run ended at once by
# a second SIGINT (the signal's default action) is recorded as such, and
# only its leaks are excused.
. "$top_srcdir/tests/tap.sh"

plan 21
ch08=$top_builddir/chapters/ch08-long-memory
ch09=$top_builddir/chapters/ch09-reading-text
if [ -n "${GRL_MEMCHECK:-}" ]; then
  ch08="$top_srcdir/tests/memcheck/run $ch08"
  ch09="$top_srcdir/tests/memcheck/run $ch09"
fi

launch() { bg_start grulab "$GRULAB" "$@"; }
finish() { bg_finish; }

# The learning curve without its header and the wall-clock column.
curve() { grep -v '^#' "$1" | cut -d' ' -f1-5; }

train="train --task adding --cell gru --seq-len 20 --hidden-size 16 --seed 5"

# ---- SIGINT: stop after the step under way, save both files -------------
launch $train --steps 100000 --save "$TMP/p.txt" --log "$TMP/l.dat"
bg_wait_for bg_has_tmp "$TMP/l.dat" || diag "no temporary of --log appeared"
bg_signal INT || diag "grulab had ended before SIGINT"
finish
is "SIGINT: exit status 130" "$rc" 130
is "nothing on stdout" "$out" ""
re='^grulab: train: interrupted by SIGINT after step ([0-9]+) of 100000; saved the parameters to .*/p\.txt and ([0-9]+) steps of the curve to .*/l\.dat$'
printf '%s\n' "$err" | grep -Eq "$re"
is "one line on stderr says where it stopped and what it saved: $err" "$?:$(printf '%s\n' "$err" | grep -c '')" "0:1"
k=$(printf '%s\n' "$err" | sed -E "s|$re|\1|")
case $k in ''|*[!0-9]*) k=-1 ;; esac
diag "stopped after step $k"
is "the log has the $k steps the line reports, numbered 1..$k" \
  "$(grep -v '^#' "$TMP/l.dat" | awk '{ if ($1 != NR) bad++ } END { print NR + 0, bad + 0 }')" "$k 0"
ls "$TMP"/*.tmp-* >/dev/null 2>&1
is "no temporary file is left behind" "$?" 2
# The same run asked for exactly k steps: the same parameters, bit for bit.
run_cli $train --steps "$k" --save "$TMP/ref.txt" --log "$TMP/ref.dat"
is "the uninterrupted $k-step run exits 0" "$rc" 0
ok "--save holds exactly the parameters after step $k" cmp -s "$TMP/p.txt" "$TMP/ref.txt"
is "--log holds exactly the curve of those $k steps" "$(curve "$TMP/l.dat")" "$(curve "$TMP/ref.dat")"

# ---- SIGTERM: 143, and the parameters alone ----------------------------
launch $train --steps 100000 --save "$TMP/t.txt"
bg_wait_for bg_has_tmp "$TMP/t.txt" || diag "no temporary of --save appeared"
bg_signal TERM || diag "grulab had ended before SIGTERM"
finish
is "SIGTERM: exit status 143" "$rc" 143
printf '%s\n' "$err" | grep -Eq '^grulab: train: interrupted by SIGTERM after step [0-9]+ of 100000; saved the parameters to .*/t\.txt$'
is "one line names SIGTERM and the parameter file: $err" "$?:$(printf '%s\n' "$err" | grep -c '')" "0:1"
run_cli gradnorm --cell gru --seq-len 5 --params "$TMP/t.txt"
is "the saved parameters load (gradnorm --params exits 0)" "$rc" 0

# ---- nothing to save ---------------------------------------------------
# No output file shows that the handler is in place: /proc does (or,
# under memcheck, valgrind's report).
launch $train --steps 100000
if bg_catches 2; then
  bg_signal INT || diag "grulab had ended before SIGINT"
  finish
  printf '%s\n' "$err" | grep -Eq '^grulab: train: interrupted by SIGINT after step [0-9]+ of 100000; nothing saved \(no --save or --log\)$'
  is "without --save or --log: exit 130 and the line says nothing was saved: $err" "$rc:$?" "130:0"
elif ! [ -d /proc/self ]; then
  bg_signal KILL; wait "$pid"
  tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP no /proc to see when grulab catches SIGINT"
else
  bg_signal KILL; wait "$pid"
  fail "without --save or --log: grulab caught SIGINT (it did not, or ended first)"
  diag "$(cat "$TMP/err")"
fi

# ---- chapters 8 and 9 --------------------------------------------------
# chapter_stops N NAME CMD PATTERN SAYS: chapter N (program NAME, run as
# CMD) stopped by SIGINT during training exits 130, prints one stderr line
# matching PATTERN (the line SAYS so) and writes no chart.
chapter_stops() {
  n=$1; name=$2; cmd=$3; pat=$4; says=$5
  mkdir "$TMP/$name"
  bg_start "$name" $cmd --quick --steps 100000 --outdir "$TMP/$name"
  if bg_catches 2; then
    bg_signal INT || diag "chapter $n had ended before SIGINT"
    finish
    is "chapter $n, SIGINT during training: exit status 130" "$rc" 130
    printf '%s\n' "$err" | grep -Eq "$pat"
    is "one line says $says, and no chart was written: $err" \
      "$?:$(printf '%s\n' "$err" | grep -c ''):$(ls "$TMP/$name" | grep -c '')" "0:1:0"
  elif ! [ -d /proc/self ]; then
    bg_signal KILL; wait "$pid"
    tap_n=$((tap_n + 2)); echo "ok $((tap_n - 1)) # SKIP no /proc"; echo "ok $tap_n # SKIP no /proc"
  else
    bg_signal KILL; wait "$pid"
    fail "chapter $n caught SIGINT (it did not, or ended first)"
    fail "so its line and its charts were not checked"
    diag "$(cat "$TMP/err")"
  fi
}

chapter_stops 8 ch08-long-memory "$ch08" \
  '^ch08-long-memory: interrupted by SIGINT: [0-9]+ of [0-9]+ runs finished, the others stopped after step [0-9]+ to [0-9]+ of 100000; no chart written$' \
  "where the runs stopped"
# Chapter 9's handler is in place before the validation at step 0; a
# SIGINT that comes before training starts stops it before its first step.
chapter_stops 9 ch09-reading-text "$ch09" \
  '^ch09-reading-text: interrupted by SIGINT during training; the lesson stops here, no chart written$' \
  "it stopped"

# ---- a second SIGINT: at once, earlier files untouched -----------------
# Each step of this run takes long (T = 600, H = 300), and writing its
# parameters too.  The second signal is sent as soon as the first has been
# taken (no longer pending): it then lands in the first step, or, if the
# first came before that step began, while the parameters are being
# written, before anything is renamed into place.  It is repeated until
# grulab has gone, in case two signals arrive together and count as one.
echo "earlier parameters" >"$TMP/p2.txt"
echo "earlier curve" >"$TMP/l2.dat"
launch train --task adding --cell gru --seq-len 600 --hidden-size 300 --batch 1 \
  --steps 100000 --seed 5 --save "$TMP/p2.txt" --log "$TMP/l2.dat"
bg_wait_for bg_has_tmp "$TMP/l2.dat" || diag "no temporary of --log appeared"
bg_signal INT || diag "grulab had ended before the first SIGINT"
bg_handled 2 || diag "the first SIGINT was still pending when grulab ended"
# The second signal ends grulab by SIGINT's default action, so under
# memcheck its report lists what it held as lost: say it was on purpose.
bg_signalled_on_purpose INT
i=0
while [ "$i" -lt "$tap_limit" ] && bg_signal INT; do
  sleep 0.2; i=$((i + 2))
done
finish
is "a second SIGINT: exit status 130" "$rc" 130
is "the earlier --save is untouched" "$(cat "$TMP/p2.txt")" "earlier parameters"
is "the earlier --log is untouched" "$(cat "$TMP/l2.dat")" "earlier curve"
ls "$TMP"/*.tmp-* >/dev/null 2>&1
is "no temporary file is left behind" "$?" 2
printf '%s\n' "$err" | grep -q '^grulab: train: interrupted again: stopped at once, nothing saved$'
is "one line says it stopped at once: $err" "$?:$(printf '%s\n' "$err" | grep -c '')" "0:1"

done_testing
