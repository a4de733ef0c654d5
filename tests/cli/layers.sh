# tests/cli/layers.sh -- stacked layers, dropout and weight decay from the
# outside (issue 25 §1-2):
#  - gradcheck --loss text --layers 2, every entry of every tensor (both
#    layers, the readout, h0 and c0 of both layers), for every cell, by
#    the central difference (<= 1e-6) and the complex step (<= 1e-11);
#  - the same with dropout, standard and variational, its masks fixed:
#    central, every entry, every cell;
#  - init --layers 2 writes weight_ih_l1 ...; forward reads L from the
#    names and prints h_n (2, B, H); backward prints dL/dh0 (2, B, H);
#  - train --task text --layers 2 --dropout, both kinds: the same seed
#    gives the same bytes, on 1 and on 2 threads; adamw and --weight-decay
#    name themselves in the run line;
#  - bad values: one line on stderr, exit 2, nothing on stdout.
. "$top_srcdir/tests/tap.sh"
CELLS=$("$GRULAB" --help | sed -n 's/^Cells: //p' | tr -d ',')
ncell=$(echo $CELLS | wc -w)
plan $((4 * ncell + 10 + 10 + 9))

LAST_RE='^worst relative error: [0-9.e+-]+ \(cell [a-z-]+, method [a-z]+, step [0-9.e+-]+, [0-9]+ entries\)$'
# check LABEL ARGS...: gradcheck exits 0 with the documented last line.
# $last is the text after $out's last newline ($(...) took off the
# trailing ones), the name shows it up to " (cell".
check() {
  label=$1; shift
  run_cli gradcheck "$@"
  last=${out##*"$nl"}
  ok "$label: exit 0, ${last%% (cell*}" last_is_summary
}
last_is_summary() { [ "$rc" = 0 ] && printf '%s\n' "$last" | grep -Eq "$LAST_RE"; }
nl='
'

# ---- gradient checks of two layers, every entry ---------------------------
for c in $CELLS; do
  check "$c, 2 layers, central" --loss text --cell $c --layers 2
  check "$c, 2 layers, complex" --loss text --cell $c --layers 2 --method complex
  check "$c, 2 layers, standard dropout 0.4, fixed masks" --loss text \
    --cell $c --layers 2 --dropout 0.4 --seed 3
  check "$c, 2 layers, variational dropout 0.4, fixed masks" --loss text \
    --cell $c --layers 2 --dropout 0.4 --dropout-kind variational --seed 3
done

# ---- the tensor format: init, forward, backward -----------------------------
"$GRULAB" init --cell lstm --input-size 3 --hidden-size 4 --layers 2 --seed 2 \
  >"$TMP/l2.params"
is "init --layers 2: both layers' tensors, under PyTorch's names" \
  "$(grep '^[a-z]' "$TMP/l2.params" | tr '\n' ' ')" \
  "weight_ih_l0 16 3 weight_hh_l0 16 4 bias_ih_l0 16 bias_hh_l0 16 weight_ih_l1 16 4 weight_hh_l1 16 4 bias_ih_l1 16 bias_hh_l1 16 "
{
  echo "input 2 3 3"; for i in 1 2 3 4 5 6; do echo "0.1 -0.2 0.3"; done
  echo "h0 2 3 4"; for i in 1 2 3 4 5 6; do echo "0.5 -0.5 0.25 0"; done
  echo "c0 2 3 4"; for i in 1 2 3 4 5 6; do echo "0.1 0.2 -0.3 0"; done
  echo "grad_output 2 3 4"; for i in 1 2 3 4 5 6; do echo "1 0 -1 0.5"; done
} >"$TMP/l2.data"
run_cli forward --cell lstm --params "$TMP/l2.params" --data "$TMP/l2.data"
is "forward: exit 0" "$rc" 0
is "forward: output (T, B, H), h_n and c_n (L, B, H)" \
  "$(printf '%s\n' "$out" | grep '^[a-z]' | tr '\n' ' ')" \
  "output 2 3 4 h_n 2 3 4 c_n 2 3 4 "
run_cli backward --cell lstm --params "$TMP/l2.params" --data "$TMP/l2.data"
is "backward: exit 0" "$rc" 0
ok "backward: dL/dh0 and dL/dc0 are (L, B, H), every layer's tensors" \
  sh -c 'printf "%s\n" "$1" | grep -q "^h0 2 3 4$" &&
         printf "%s\n" "$1" | grep -q "^c0 2 3 4$" &&
         printf "%s\n" "$1" | grep -q "^weight_hh_l1 16 4$"' _ "$out"
fails_with "forward: a (B, H) h0 for a 2-layer model" 1 "h0.*expected 2x1x4" \
  forward --cell lstm --params "$TMP/l2.params" --data /dev/stdin <<EOF
input 1 1 3
0 0 0
h0 1 4
0 0 0 0
EOF
fails_with "forward --layers 3 on a 2-layer file" 1 \
  "holds a model of 2 layers, but --layers 3 was given" \
  forward --cell lstm --params "$TMP/l2.params" --data "$TMP/l2.data" --layers 3
fails_with "gradcheck --layers 2 on the sequence loss" 2 \
  "sequence loss checks one layer" gradcheck --cell gru --layers 2
fails_with "gradcheck --dropout with the complex step" 2 "complex step" \
  gradcheck --loss text --cell gru --dropout 0.2 --method complex
fails_with "gradcheck --dropout on the sequence loss" 2 \
  "dropout does not apply to --loss sequence" gradcheck --cell gru --dropout 0.2

# ---- training: the same seed gives the same bytes ---------------------------
# 3000 bytes of text: a short file keeps the runs fast
awk 'BEGIN { for (i = 0; i < 150; i++) printf "the cat sat on the mat %d\n", i % 7 }' \
  >"$TMP/text.txt"
k=0
twice() {
  label=$1; shift
  k=$((k + 1)); f="$TMP/run$k"
  for n in 1 2; do
    OMP_NUM_THREADS=$n OPENBLAS_NUM_THREADS=$n OMP_WAIT_POLICY=passive \
      "$GRULAB" train --task text --text "$TMP/text.txt" --hidden-size 16 \
      --bptt 16 --batch 8 --steps 12 --seed 4 "$@" --save "$f-$n.txt" \
      >"$f-$n.out" 2>&1
    echo "$?" >"$f-$n.rc"
  done
  ok "$label: exits 0 on 1 and 2 threads" \
    test "$(cat "$f-1.rc")$(cat "$f-2.rc")" = 00
  ok "$label: byte-identical parameters on 1 and 2 threads" \
    cmp -s "$f-1.txt" "$f-2.txt"
}
twice "2 layers, standard dropout 0.3" --layers 2 --dropout 0.3
twice "2 layers, variational dropout 0.3" --layers 2 --dropout 0.3 \
  --dropout-kind variational
ok "dropout changes training (standard against variational differ)" \
  sh -c '! cmp -s "$1" "$2"' _ "$TMP/run1-1.txt" "$TMP/run2-1.txt"
ok "the run line names the layers and the dropout" \
  grep -q ' layers=2 dropout=0.3 (variational)$' "$TMP/run2-1.out"
run_cli sample --params "$TMP/run2-1.txt" --layers 2 --bytes 20 --seed 1
ok "sample --layers 2 reads the trained two-layer model: 21 bytes" \
  test "$rc:${#out}" = "0:21"
twice "adamw, default decay" --optimizer adamw
ok "adamw's run line says weight_decay=0.01 (decoupled)" \
  grep -q ' weight_decay=0.01 (decoupled)$' "$TMP/run3-1.out"

# ---- bad values -----------------------------------------------------------------
fails_with "train --layers 0" 2 "layers must be between 1 and 8, got 0" \
  train --task text --layers 0
fails_with "train --layers 9" 2 "layers must be between 1 and 8, got 9" \
  train --task text --layers 9
fails_with "train --dropout 1" 2 "dropout must be in \[0, 1\), got '1'" \
  train --task text --dropout 1
fails_with "train --dropout -0.1" 2 "dropout must be in \[0, 1\), got '-0.1'" \
  train --task text --dropout -0.1
fails_with "train --dropout-kind bogus" 2 \
  "dropout-kind must be one of standard\|variational" \
  train --task text --dropout 0.2 --dropout-kind bogus
fails_with "train --dropout-kind without --dropout" 2 "needs --dropout P > 0" \
  train --task text --dropout-kind variational
fails_with "train --weight-decay -1" 2 "weight-decay must be >= 0" \
  train --task text --weight-decay -1
fails_with "init --layers 0" 2 "layers must be between 1 and 8" \
  init --cell gru --input-size 2 --hidden-size 2 --layers 0
fails_with "gradcheck --layers 0" 2 "layers must be between 1 and 8" \
  gradcheck --loss text --cell gru --layers 0
done_testing
