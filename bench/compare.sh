#!/bin/sh
# compare.sh -- two grulab builds against each other, in one run: the
# sizes of bench/vs-pytorch.sh and its adding training, the two binaries
# alternating (A B, then B A, ...) so that a drift in the machine's speed
# hits both.  Not part of `make check`.
#
#   bench/compare.sh OLD_GRULAB NEW_GRULAB [ROUNDS]      (default 5 rounds)
#
# Sizes (B, H, I, T): small (1, 32, 16, 100), medium (32, 128, 64, 100),
# large (64, 512, 512, 50): `grulab bench --cell gru`, forward plus full
# BPTT, its median ms; then `grulab train --task adding --cell gru
# --length 50 --seed 5`, its training seconds.  For each it prints the
# median over the rounds of each side, and the median of the rounds'
# ratios new/old (below 1: the new build is faster).
#   THREADS   OMP_NUM_THREADS and OPENBLAS_NUM_THREADS for both (default 1)
#   STEPS     training steps (default 3000)
set -u
[ $# -ge 2 ] || { echo "usage: bench/compare.sh OLD_GRULAB NEW_GRULAB [ROUNDS]" >&2; exit 2; }
old=$1 new=$2 rounds=${3:-5}
for g in "$old" "$new"; do
  [ -x "$g" ] || { echo "compare: no grulab binary at $g" >&2; exit 1; }
done
threads=${THREADS:-1}
STEPS=${STEPS:-3000}
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
tmp=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# run SIDE BINARY CASE: one measurement of CASE, appended to $tmp/CASE.SIDE.
# The options are the old spellings (train --length, bench --steps for T),
# which builds from before and after the renaming both accept (the newer
# one warns once on stderr).
run() {
  case $3 in
    train)
      "$2" train --task adding --cell gru --length 50 --seed 5 --steps "$STEPS" \
        2>/dev/null | sed -n 's/^steps [0-9]* seconds \([0-9.]*\).*/\1/p' ;;
    *)
      IFS=: read -r B H I T iters <<EOF
$(case $3 in small) echo 1:32:16:100:100 ;; medium) echo 32:128:64:100:20 ;;
             large) echo 64:512:512:50:3 ;; esac)
EOF
      "$2" bench --cell gru --batch "$B" --hidden-size "$H" --input-size "$I" \
        --steps "$T" --iters "$iters" 2>/dev/null | sed -n 's/^bench .*median_ms=\([0-9.]*\).*/\1/p' ;;
  esac >>"$tmp/$3.$1"
}

echo "# compare: $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), threads=$threads, rounds=$rounds"
echo "# old: $old ($("$old" --version | sed -n 's/^BLAS kernels: //p'))"
echo "# new: $new ($("$new" --version | sed -n 's/^BLAS kernels: //p'))"
cases="small medium large train"
r=1
while [ "$r" -le "$rounds" ]; do
  for c in $cases; do
    if [ $((r % 2)) = 1 ]; then run old "$old" "$c"; run new "$new" "$c"
    else run new "$new" "$c"; run old "$old" "$c"; fi
  done
  r=$((r + 1))
done

echo
echo "| case | old | new | new / old (median of the rounds' ratios) |"
echo "| --- | --- | --- | --- |"
for c in $cases; do
  paste "$tmp/$c.old" "$tmp/$c.new" | awk '{ print $2 / $1 }' >"$tmp/$c.ratio"
  unit=ms; [ "$c" = train ] && unit=s
  echo "| $c | $(median <"$tmp/$c.old") $unit | $(median <"$tmp/$c.new") $unit | $(median <"$tmp/$c.ratio" | awk '{ printf "%.3f", $1 }') |"
done
