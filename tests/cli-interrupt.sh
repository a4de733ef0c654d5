# tests/cli-interrupt.sh -- `grulab train` stopped by SIGINT or SIGTERM:
# the step under way finishes, --save and --log are written whole (the
# parameters are exactly those of an uninterrupted run of as many steps),
# one line says where it stopped, and the exit status is 130 (SIGTERM 143).
# A second SIGINT ends it at once and leaves earlier files untouched.
# Chapter 7 stops its trainings the same way, writes no chart, exits 130.
# (--task text is tested in tests/cli-text.sh.)
#
# Nothing here depends on timing: the signal is sent once the command has
# opened its outputs (so its handler is in place), whatever step it has
# reached; the checks then hold for the step it reports.
. "$top_srcdir/tests/tap.sh"

plan 19
grulab=$GRULAB

# A shell script's background job starts with SIGINT ignored, and grulab
# leaves an ignored signal ignored; perl restores the default first.
launch() {
  perl -e '$SIG{INT} = $SIG{TERM} = "DEFAULT"; exec @ARGV or die "exec: $!\n"' \
    "$GRULAB" "$@" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
}

# wait_tmp PATH: wait (at most 120 s) until PATH's temporary exists, i.e.
# grulab has caught the signals and opened its outputs.
wait_tmp() {
  i=0
  while [ -z "$(ls "$1".tmp-* 2>/dev/null)" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    i=$((i + 1))
    [ "$i" -gt 1200 ] && return 1
    sleep 0.1
  done
}

# finish: wait for grulab (at most 300 s, then kill it); sets $rc.
finish() {
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 3000 ]; do
    sleep 0.1; i=$((i + 1))
  done
  kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; diag "grulab did not stop; killed"; }
  wait "$pid"; rc=$?
  out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
}

# The learning curve without its header and the wall-clock column.
curve() { grep -v '^#' "$1" | cut -d' ' -f1-5; }

train="train --task adding --cell gru --length 20 --hidden-size 16 --seed 5"

# ---- SIGINT: stop after the step under way, save both files -------------
launch $train --steps 100000 --save "$TMP/p.txt" --log "$TMP/l.dat"
wait_tmp "$TMP/l.dat"
kill -INT "$pid"
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
wait_tmp "$TMP/t.txt"
kill -TERM "$pid"
finish
is "SIGTERM: exit status 143" "$rc" 143
printf '%s\n' "$err" | grep -Eq '^grulab: train: interrupted by SIGTERM after step [0-9]+ of 100000; saved the parameters to .*/t\.txt$'
is "one line names SIGTERM and the parameter file: $err" "$?:$(printf '%s\n' "$err" | grep -c '')" "0:1"
run_cli gradnorm --cell gru --steps 5 --params "$TMP/t.txt"
is "the saved parameters load (gradnorm --params exits 0)" "$rc" 0

# wait_caught: wait (at most 120 s) until grulab catches SIGINT; /proc
# shows it (SigCgt).  Fails where there is no /proc.
wait_caught() {
  i=0
  while [ -r "/proc/$pid/status" ] && [ "$i" -lt 1200 ] \
        && ! awk '/^SigCgt:/ { exit !(index("2367abefABEF", substr($2, length($2), 1))) }' "/proc/$pid/status"; do
    sleep 0.1; i=$((i + 1))
  done
  [ -r "/proc/$pid/status" ]
}

# ---- nothing to save ---------------------------------------------------
# No output file shows that the handler is in place: /proc does.
launch $train --steps 100000
if wait_caught; then
  kill -INT "$pid"
  finish
  printf '%s\n' "$err" | grep -Eq '^grulab: train: interrupted by SIGINT after step [0-9]+ of 100000; nothing saved \(no --save or --log\)$'
  is "without --save or --log: exit 130 and the line says nothing was saved: $err" "$rc:$?" "130:0"
else
  kill -9 "$pid" 2>/dev/null; wait "$pid"
  tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP no /proc to see when grulab catches SIGINT"
fi

# ---- chapter 7 ---------------------------------------------------------
mkdir "$TMP/ch07"
GRULAB=$top_builddir/chapters/ch07-long-memory
launch --quick --steps 100000 --outdir "$TMP/ch07"
if wait_caught; then
  kill -INT "$pid"
  finish
  is "chapter 7, SIGINT during training: exit status 130" "$rc" 130
  printf '%s\n' "$err" | grep -Eq '^ch07-long-memory: interrupted by SIGINT: [0-9]+ of [0-9]+ runs finished, the others stopped after step [0-9]+ to [0-9]+ of 100000; no chart written$'
  is "one line says where the runs stopped, and no chart was written: $err" \
    "$?:$(printf '%s\n' "$err" | grep -c ''):$(ls "$TMP/ch07" | grep -c '')" "0:1:0"
else
  kill -9 "$pid" 2>/dev/null; wait "$pid"
  tap_n=$((tap_n + 2)); echo "ok $((tap_n - 1)) # SKIP no /proc"; echo "ok $tap_n # SKIP no /proc"
fi
GRULAB=$grulab

# ---- a second SIGINT: at once, earlier files untouched -----------------
# Each step of this run takes long (T = 600, H = 300), so that the second
# signal lands in the first step; it is repeated until grulab has gone, in
# case two signals arrive together and count as one.
echo "earlier parameters" >"$TMP/p2.txt"
echo "earlier curve" >"$TMP/l2.dat"
launch train --task adding --cell gru --length 600 --hidden-size 300 --batch 1 \
  --steps 100000 --seed 5 --save "$TMP/p2.txt" --log "$TMP/l2.dat"
wait_tmp "$TMP/l2.dat"
kill -INT "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 600 ]; do
  sleep 0.2; kill -INT "$pid" 2>/dev/null; i=$((i + 1))
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
