# tests/cli/gradcheck.sh -- grulab gradcheck from the outside.
#
# Exit statuses 0 (pass), 1 (fail, with the report still printed) and 2
# (bad flag: one stderr line, empty stdout); the exact last line; the
# per-tensor report; --method all; --sweep; --params; identical output
# for 1 and 2 threads; and the acceptance runs: every cell on I=5 H=7
# T=30 B=3 with central (<= 1e-6) and complex (<= 1e-11).
. "$top_srcdir/tests/tap.sh"
# Every cell, from the command's own list ("Cells: rnn, gru, ...").
CELLS=$("$GRULAB" --help | sed -n 's/^Cells: //p' | tr -d ',')
plan $((57 + 2 * $(echo $CELLS | wc -w)))

LAST_RE='^worst relative error: [0-9.e+-]+ \(cell [a-z-]+, method [a-z]+, step [0-9.e+-]+, [0-9]+ entries\)$'

# The last line of $out: the text after its last newline ($(...) took off
# the trailing ones); E, its 4th word; whether the run exited 0 with
# E <= tol (awk compares numbers); whether it has the documented format.
nl='
'
last_line() { printf '%s\n' "${out##*"$nl"}"; }
worst_of() { last_line | awk '{ print $4 }'; }
passed_within() { [ "$rc" = 0 ] && awk -v a="$E" -v b="$tol" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
last_is_summary() { last_line | grep -Eq "$LAST_RE"; }

# ---- exit 0: a passing check and its last line ---------------------------
run_cli gradcheck --cell gru
is "gru, defaults: exit 0" "$rc" 0
ok "gru, defaults: last line has the documented format" last_is_summary
# I=3 H=4 T=6 B=2: 12*3 + 12*4 + 12 + 12 parameters + 36 inputs + 8 of h0
is "gru, defaults: every entry counted" \
  "$(last_line | sed 's/.*, \([0-9]*\) entries)$/\1/')" 152
is "gru, defaults: names the cell, method and step" \
  "$(last_line | sed 's/^worst relative error: [^ ]* //')" \
  "(cell gru, method central, step 6.06e-06, 152 entries)"
ok "gru, defaults: one report row per tensor" \
  sh -c 'for t in weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0 input h0; do
           printf "%s\n" "$1" | grep -Eq "^$t +[0-9x]+ +[0-9]+ " || exit 1; done' _ "$out"
# the input's worst entry names its time step from 1, as the prose counts:
# x_t[b,i] with t = 1..T (T = 6), b and i from 0 (B = 2, I = 3)
ok "gru, defaults: the input's index reads x_t[b,i], t from 1" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^input +6x2x3 +36 +[0-9.e+-]+ +x_[1-6]\[[01],[0-2]\] "' _ "$out"
is "gru, defaults: nothing on stderr" "$err" ""

# ---- exit 1: a failing check still prints its report ----------------------
run_cli gradcheck --cell gru --tolerance 1e-14
is "tolerance 1e-14: exit 1" "$rc" 1
ok "tolerance 1e-14: the last line is still the summary" last_is_summary
ok "tolerance 1e-14: a FAIL row is shown" \
  sh -c 'printf "%s\n" "$1" | grep -q " FAIL$"' _ "$out"

# The naive fixed floor: rounding noise on near-zero entries fails it.
run_cli gradcheck --cell gru --input-size 16 --hidden-size 32 --seq-len 20 \
  --batch 2 --check params --floor fixed --sample 200
E_fixed=$(worst_of)
run_cli gradcheck --cell gru --input-size 16 --hidden-size 32 --seq-len 20 \
  --batch 2 --check params --sample 200
E_scaled=$(worst_of)
ok "fixed floor reports a larger error than the scaled floor ($E_fixed > $E_scaled)" \
  awk -v a="$E_fixed" -v b="$E_scaled" 'BEGIN { exit !(a + 0 > b + 0) }'

# ---- exit 2: bad flags ------------------------------------------------------
fails_with "no --cell" 2 'cell' gradcheck
fails_with "unknown cell" 2 'cell.*nope' gradcheck --cell nope
fails_with "unknown method" 2 'method.*simpson' gradcheck --cell gru --method simpson
fails_with "--hidden-size 0" 2 'hidden-size' gradcheck --cell gru --hidden-size 0
fails_with "non-numeric --seq-len" 2 'seq-len' gradcheck --cell gru --seq-len ten
fails_with "negative --step" 2 'step' gradcheck --cell gru --step -1e-6
fails_with "--tolerance 0" 2 'tolerance' gradcheck --cell gru --tolerance 0
fails_with "--check bogus" 2 'check' gradcheck --cell gru --check params,bogus
fails_with "--floor bogus" 2 'floor' gradcheck --cell gru --floor bogus
# --floor goes through the same strict parser as --tolerance: no leading blank.
fails_with "--floor ' 0x1p-3'" 2 "--floor must be scaled, fixed or a factor in \\[0, 1\\), got ' 0x1p-3'" \
  gradcheck --cell gru --floor ' 0x1p-3'
fails_with "--tolerance ' 0.5'" 2 "--tolerance needs a finite number, got ' 0.5'" \
  gradcheck --cell gru --tolerance ' 0.5'
fails_with "--step with --method all" 2 'all' gradcheck --cell gru --method all --step 1e-6
fails_with "--index without --sweep" 2 'index' gradcheck --cell gru --index 3
fails_with "unknown option" 2 'unknown option' gradcheck --cell gru --bogus
fails_with "missing value" 2 'needs a value' gradcheck --cell gru --seed
fails_with "--sweep of an unknown tensor" 2 'weight_zz' gradcheck --cell gru --sweep --tensor weight_zz
fails_with "--sweep --index out of range" 2 'index 8 .*h0' gradcheck --cell gru --sweep --tensor h0 --index 8

# flags that do not apply are usage errors, not failed checks or silence
fails_with "--check c0 for a cell without c0" 2 '--check c0: cell gru' \
  gradcheck --cell gru --check c0
fails_with "--check params,c0 for a cell without c0" 2 '--check c0: cell rnn' \
  gradcheck --cell rnn --check params,c0
fails_with "--sweep --method" 2 '--method does not apply to --sweep' \
  gradcheck --cell gru --sweep --method central
fails_with "--sweep --tolerance" 2 '--tolerance does not apply to --sweep' \
  gradcheck --cell gru --sweep --tolerance 1e-3
fails_with "--threads 0" 2 'threads must be an integer between 1 and 1024' \
  gradcheck --cell gru --threads 0
err0=$err
fails_with "--threads 1000000" 2 'threads must be an integer between 1 and 1024' \
  gradcheck --cell gru --threads 1000000
is "--threads 0 and 1000000: one message, but for the value" \
  "$(printf '%s\n' "$err" | sed "s/'1000000'/'0'/")" "$err0"

# ---- a run that fails (exit 1), not a usage error --------------------------
fails_with "missing --params file" 1 'no-such-file' gradcheck --cell gru --params "$TMP/no-such-file"

# ---- --params ----------------------------------------------------------------
"$GRULAB" init --cell lstm --input-size 3 --hidden-size 4 --seed 77 >"$TMP/lstm.txt"
run_cli gradcheck --cell lstm --params "$TMP/lstm.txt" --method complex
is "--params: PyTorch-initialised lstm passes complex" "$rc" 0
fails_with "--params with other sizes names the file and both sizes" 1 \
  'lstm.txt holds a model with input size 3 and hidden size 4, but .*--hidden-size 5' \
  gradcheck --cell lstm --params "$TMP/lstm.txt" --hidden-size 5
"$GRULAB" init --cell gru --input-size 6 --hidden-size 5 --seed 78 >"$TMP/gru65.txt"
run_cli gradcheck --cell gru --params "$TMP/gru65.txt" --method complex
is "--params: sizes come from the file (I=6, H=5)" "$rc" 0
case $out in *"T=6 B=2 I=6 H=5"*) pass "--params: the report shows the file's sizes" ;;
  *) fail "--params: the report shows the file's sizes"; diag "$out" ;; esac
fails_with "--params for another cell names both cells" 1 'gru65.txt:1: the record says cell=gru, but cell lstm was asked for' \
  gradcheck --cell lstm --params "$TMP/gru65.txt"
grep -v '^# grulab-model' "$TMP/gru65.txt" >"$TMP/gru65.old"
fails_with "--params: a file without a record for another cell names the tensor" 1 'weight_hh_l0' \
  gradcheck --cell lstm --params "$TMP/gru65.old"

# Parameters ~1e200: every unit saturated, every gradient exactly 0 on both
# sides.  Nothing was compared, so the check fails -- it must not pass.
"$GRULAB" init --cell rnn --input-size 3 --hidden-size 4 --seed 79 |
  awk '/^[a-z#]/ { print; next }
       { for (i = 1; i <= NF; i++) $i = sprintf("%.17g", $i * 2.385e200); print }' \
  >"$TMP/big.txt"
run_cli gradcheck --cell rnn --params "$TMP/big.txt"
is "saturated rnn (params ~1e200): exit 1" "$rc" 1
ok "saturated rnn: a '#' line says nothing was compared" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^# .*nothing was compared"' _ "$out"
ok "saturated rnn: the last line keeps its format" last_is_summary
run_cli gradcheck --cell rnn --params "$TMP/big.txt" --method all
is "saturated rnn, --method all: exit 1" "$rc" 1
is "saturated rnn, --method all: four verdicts 'FAIL (nothing compared)'" \
  "$(printf '%s\n' "$out" | grep -c 'FAIL (nothing compared)$')" 4

# ---- --method all -------------------------------------------------------------
run_cli gradcheck --cell rnn --method all
is "--method all: exit 0" "$rc" 0
is "--method all: one verdict per method" \
  "$(printf '%s\n' "$out" | grep -c '^# method [a-z]*: worst relative error .*: pass$')" 4
ok "--method all: the last line is a summary" last_is_summary

# ---- the seed cell's exact zeros ------------------------------------------------
run_cli gradcheck --cell seed --method complex
is "seed: exit 0" "$rc" 0
ok "seed: weight_o and bias_o reported as exactly zero, not failures" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^weight_o .*exactly zero on both sides \(not a failure\)" &&
         printf "%s\n" "$1" | grep -Eq "^bias_o .*exactly zero on both sides \(not a failure\)"' _ "$out"

# ---- --sweep ----------------------------------------------------------------------
run_cli gradcheck --cell gru --sweep
is "--sweep: exit 0" "$rc" 0
is "--sweep: 20 rows h forward central complex" \
  "$(printf '%s\n' "$out" | grep -Ec '^1e-[0-9]+( [0-9.e+-]+){3}$')" 20
ok "--sweep: names its columns" \
  sh -c 'printf "%s\n" "$1" | grep -q "^# h forward central complex$"' _ "$out"
ok "--sweep: measures against the analytic (BPTT) value" \
  sh -c 'printf "%s\n" "$1" | grep -q "^# reference: analytic (BPTT) "' _ "$out"

# ---- threads do not change the answer ------------------------------------------------
"$GRULAB" gradcheck --cell lstm --method gsl --threads 1 >"$TMP/t1" 2>&1
"$GRULAB" gradcheck --cell lstm --method gsl --threads 2 >"$TMP/t2" 2>&1
ok "--threads 1 and 2: identical reports" cmp -s "$TMP/t1" "$TMP/t2"

# ---- acceptance: every cell, I=5 H=7 T=30 B=3 --------------------------------------
for c in $CELLS; do
  for m in central complex; do
    case $m in central) tol=1e-6 ;; complex) tol=1e-11 ;; esac
    run_cli gradcheck --cell $c --input-size 5 --hidden-size 7 --seq-len 30 --batch 3 --method $m
    E=$(worst_of)
    diag "$c $m: $(last_line)"
    ok "$c, $m, I=5 H=7 T=30 B=3: exit 0, E=$E <= $tol" passed_within
  done
done

done_testing
