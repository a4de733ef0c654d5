#!/bin/sh
# scaling.sh -- how grulab's forward + full BPTT (gru) grows with T, B and
# H: `grulab bench --peak` over a grid, printed as two Markdown tables.
#   bench/scaling.sh [THREADS]        (default 1; sets OMP_NUM_THREADS and
#                                      OPENBLAS_NUM_THREADS)
# Table 1: T in {25, 50, 100, 200} at B = 32, H = 128, I = 64 (time should
# double with T).  Table 2: H in {32, 128, 512} x B in {1, 32, 64} at
# T = 50, I = H: median ms, GFLOP/s (GEMM flops only) and the share of a
# square dgemm's rate through the same CBLAS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
GRULAB=${GRULAB:-$here/../src/grulab}
threads=${1:-1}
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p" | tail -1; }
run() {  # B H I T iters
  "$GRULAB" bench --cell gru --batch "$1" --hidden-size "$2" --input-size "$3" \
    --seq-len "$4" --iters "$5" --peak >"$out" || exit 1
}
out=$(mktemp "${TMPDIR:-/tmp}/scaling.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
echo "# scaling: $(date -u '+%Y-%m-%d %H:%M UTC'), threads=$threads"
echo
echo "| T | median ms | ms per step | GFLOP/s |"
echo "| --- | --- | --- | --- |"
for T in 25 50 100 200; do
  run 32 128 64 "$T" 10
  ms=$(field median_ms <"$out")
  echo "| $T | $ms | $(awk -v a="$ms" -v t="$T" 'BEGIN {printf "%.3f", a / t}') | $(field gflops <"$out") |"
done
echo
echo "| H | B | median ms | GFLOP/s | dgemm GFLOP/s | efficiency |"
echo "| --- | --- | --- | --- | --- | --- |"
for H in 32 128 512; do
  for B in 1 32 64; do
    iters=20
    [ "$H" = 512 ] && iters=3
    run "$B" "$H" "$H" 50 "$iters"
    echo "| $H | $B | $(field median_ms <"$out") | $(sed -n '$p' "$out" | field gflops) | $(sed -n '/^peak/p' "$out" | field gflops) | $(field efficiency <"$out") |"
  done
done
