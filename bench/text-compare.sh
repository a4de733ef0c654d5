#!/bin/sh
# bench/text-compare.sh -- rnn, gru and lstm at (nearly) equal parameter
# count on the text task, three seeds each: the validation bpc's mean and
# spread.  Every run is `grulab train --task text` at the default size
# otherwise (T = 64, B = 32, 800 steps, Adam 3e-3, clip 5).
#
#   bench/text-compare.sh [GRULAB] [STEPS] [JOBS]
#                               (defaults: src/grulab, 800 steps, 1 job)
# JOBS = 3 runs the three cells at once (their seeds one after another).
#
# The hidden sizes give about 98 000 parameters each with GSL's headers
# (V = 94): rnn H = 232 (97 998), gru H = 128 (98 142), lstm H = 108
# (98 374).  The runs are sequential, one BLAS thread each: 9 runs of the
# default chapter's cost (README, chapter 9).  Prints one line per run and
# then a Markdown table for the README.
set -e
GRULAB=${1:-src/grulab}
STEPS=${2:-800}
JOBS=${3:-1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/grulab-compare.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
run_cell() {
  cell=$1 H=$2
  for seed in 1 2 3; do
    "$GRULAB" train --task text --cell "$cell" --hidden-size "$H" \
      --steps "$STEPS" --seed "$seed" >"$TMP/$cell-$seed.out"
    params=$(awk '/^parameters/ { print $2 }' "$TMP/$cell-$seed.out")
    bpc=$(awk '/^valid bpc/ { print $3 }' "$TMP/$cell-$seed.out")
    secs=$(awk '/^steps/ { print $6 }' "$TMP/$cell-$seed.out")
    bigram=$(awk '/^valid bpc/ { b = $7; sub(/[),]/, "", b); print b }' "$TMP/$cell-$seed.out")
    echo "$cell H=$H seed=$seed parameters=$params valid_bpc=$bpc seconds=$secs"
    echo "$cell $H $params $seed $bpc $secs $bigram" >"$TMP/$cell-$seed.row"
  done
}
for spec in rnn:232 gru:128 lstm:108; do
  if [ "$JOBS" -gt 1 ]; then
    run_cell "${spec%%:*}" "${spec#*:}" &
  else
    run_cell "${spec%%:*}" "${spec#*:}"
  fi
done
wait
cat "$TMP"/rnn-*.row "$TMP"/gru-*.row "$TMP"/lstm-*.row >"$TMP/all"
echo
echo "steps $STEPS; seconds are wall-clock, with other work on the machine"
echo "| cell | H | parameters | valid bpc, seeds 1 2 3 | mean | sd | bigram |"
echo "|---|---:|---:|---|---:|---:|---:|"
awk '{ k = $1; H[k] = $2; P[k] = $3; v[k] = v[k] " " $5; s[k] += $5; q[k] += $5 * $5; n[k]++; bg = $7
       if (!(k in seen)) { order[++m] = k; seen[k] = 1 } }
     END { for (i = 1; i <= m; i++) { k = order[i]; mu = s[k] / n[k]
             sd = n[k] > 1 ? sqrt((q[k] - n[k] * mu * mu) / (n[k] - 1)) : 0
             printf "| %s | %d | %d |%s | %.3f | %.3f | %.3f |\n", k, H[k], P[k], v[k], mu, sd, bg } }' "$TMP/all"
