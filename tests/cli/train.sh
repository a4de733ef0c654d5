# tests/cli/train.sh -- `grulab train` and `grulab gradnorm` from the
# outside: a short training run with --save and --log, its last line, the
# NaN guard, gradnorm on a saved model and at init, and the usage errors.
. "$top_srcdir/tests/tap.sh"

plan 36

run_cli train --help
is "train --help exits 0" "$rc" 0
printf '%s\n' "$out" | grep -q -- "--optimizer" && printf '%s\n' "$out" | grep -q "baseline"
is "train --help documents the options and the baseline" "$?" 0

# A short run that learns: GRU, T=12, lr 0.01, 200 steps.
run_cli train --task adding --cell gru --seq-len 12 --hidden-size 16 --steps 200 \
  --lr 0.01 --seed 7 --save "$TMP/gru.txt" --log "$TMP/gru.dat"
is "train exits 0" "$rc" 0
last=$(printf '%s\n' "$out" | tail -n 1)
printf '%s\n' "$last" | grep -Eq '^test mse [0-9.]+(e-?[0-9]+)? \(baseline 0\.1667\)$'
is "the last line is 'test mse X (baseline 0.1667)': $last" "$?" 0
mse=$(printf '%s\n' "$last" | awk '{print $3}')
awk -v m="$mse" 'BEGIN { exit !(m < 0.1667 / 5) }'
is "GRU at T=12 beats the baseline 5x (test mse $mse)" "$?" 0
is "nothing on stderr when it is not a terminal" "$err" ""
ok "--save wrote the parameters, readout included" grep -q '^readout_weight 1 16$' "$TMP/gru.txt"
rows=$(grep -vc '^#' "$TMP/gru.dat")
is "--log has one row per step" "$rows" 200
header=$(grep '^# step' "$TMP/gru.dat")
is "--log names its columns" "$header" "# step loss grad_norm update_norm clipped seconds"
ok "--log records the run's parameters" grep -q '^# task=adding cell=gru T=12 H=16 B=50 steps=200 optimizer=adam lr=0.01 clip=1 seed=7' "$TMP/gru.dat"

# The same seed gives the same run.
run_cli train --task adding --cell gru --seq-len 12 --hidden-size 16 --steps 200 --lr 0.01 --seed 7
is "the same seed gives the same test mse" "$(printf '%s\n' "$out" | tail -n 1)" "$last"

# gradnorm on the trained model: H comes from readout_weight.
run_cli gradnorm --cell gru --seq-len 12 --params "$TMP/gru.txt" --seed 3
is "gradnorm --params exits 0" "$rc" 0
is "gradnorm prints one row per lag" "$(printf '%s\n' "$out" | grep -vc '^#')" 12
is "gradnorm names its columns" "$(printf '%s\n' "$out" | grep '^# lag')" "# lag norm jacobian_norm"
first=$(printf '%s\n' "$out" | grep -v '^#' | head -n 1 | awk '{print $1, $2}')
is "lag 0 carries the unit gradient" "$first" "0 1"

# gradnorm of a tanh RNN with lambda1 = 0.5 decays at least as fast as 0.5^k.
run_cli gradnorm --cell rnn --seq-len 30 --singular-value 0.5 --seed 11
is "gradnorm --singular-value exits 0" "$rc" 0
printf '%s\n' "$out" | awk '!/^#/ { if ($2 > 0.5 ^ $1 * (1 + 1e-9) || $3 > 0.5 * (1 + 1e-9)) bad++ } END { exit bad > 0 }'
is "rnn lambda1=0.5: norm <= 0.5^k and jacobian_norm <= 0.5 at every lag" "$?" 0

# The NaN guard: exit 1, one line, nothing on stdout, last good params saved.
run_cli train --task adding --cell rnn --seq-len 10 --steps 50 --optimizer sgd \
  --lr 1e300 --clip 0 --seed 1 --save "$TMP/nan.txt" --log "$TMP/nan.dat"
is "lr 1e300 stops training with exit 1" "$rc" 1
is "and nothing on stdout" "$out" ""
printf '%s\n' "$err" | grep -Eq '^grulab: train: step [0-9]+: .*(inf|nan).*finite'
is "with one message naming the step: $err" "$?:$(printf '%s\n' "$err" | grep -c '')" "0:1"
ok "the last good parameters are still saved" grep -q '^weight_hh_l0 32 32$' "$TMP/nan.txt"
! grep -Eqi 'nan|inf' "$TMP/nan.txt"
is "and they are finite" "$?" 0

# The copy-memory task: its own loss and baseline 10 ln 8 / (T + 20).
run_cli train --task copy --cell gru --delay 5 --hidden-size 8 --steps 20 --seed 2
is "train --task copy exits 0" "$rc" 0
last=$(printf '%s\n' "$out" | tail -n 1)
printf '%s\n' "$last" | grep -Eq '^test xent [0-9.]+ \(baseline 0\.8318\)$'
is "copy's last line names cross-entropy and its baseline: $last" "$?" 0

# Usage errors: exit 2, one line.
fails_with "train without --cell" 2 "^grulab: train: --cell C is required" train --seq-len 10
fails_with "train with an unknown optimizer names it" 2 "adadelta" train --cell gru --seq-len 10 --optimizer adadelta
fails_with "train with an unknown task names it" 2 "parity" train --task parity --cell gru --seq-len 10
fails_with "train --lr 0" 2 "^grulab: train: --lr" train --cell gru --seq-len 10 --lr 0
fails_with "an unwritable --save fails at once, before training" 1 "^grulab: train: --save: .*no-such-dir" \
  train --cell gru --seq-len 10 --steps 100000 --save "$TMP/no-such-dir/p.txt"
fails_with "an unwritable --log fails at once" 1 "^grulab: train: --log: " \
  train --cell gru --seq-len 10 --steps 100000 --log "$TMP/no-such-dir/l.dat"
fails_with "train --steps above the size limit is a usage error" 2 \
  "^grulab: train: --steps must be between 1 and 100000, got 1000000" \
  train --cell gru --seq-len 10 --steps 1000000
fails_with "train --hidden-size above the library's limit is a usage error" 2 \
  "^grulab: train: --hidden-size must be between 1 and 100000" \
  train --cell gru --seq-len 10 --hidden-size 200000
fails_with "train --seed ' -1' (a blank before the sign)" 2 \
  "^grulab: train: --seed needs a non-negative integer, got ' -1'" \
  train --cell gru --seq-len 10 --seed ' -1'
fails_with "gradnorm --params with --init: one or the other" 2 \
  "^grulab: gradnorm: give --params FILE or --init pytorch, not both" \
  gradnorm --cell gru --seq-len 12 --params "$TMP/gru.txt" --init pytorch
run_cli gradnorm --help
ok "gradnorm --help says that seed 0 is 4357" eval 'printf "%s\n" "$out" | grep -q "seed 0 as 4357"' 
fails_with "gradnorm --gate-bias on the rnn" 2 "rnn" gradnorm --cell rnn --seq-len 10 --gate-bias 2
done_testing
