#!/bin/sh
# blas-kernels.sh -- grulab on each OpenBLAS kernel family this CPU runs:
# the table behind grulab's choice of kernels (src/app/grl_blascore.h,
# doc/performance.md "BLAS kernels").  Not part of `make check`.
#
#   bench/blas-kernels.sh [ROUNDS]        (default 3)
#
# For each family (Prescott: SSE3; Sandybridge: AVX; Haswell and Zen:
# AVX2; SkylakeX: AVX-512, only where the CPU has AVX-512 F, DQ, BW and
# VL), OPENBLAS_CORETYPE set to it: `grulab bench --peak --cell gru` at
# the sizes of bench/vs-pytorch.sh, one thread.  It prints, per family
# and size, the median over the rounds of the bench's ms and GFLOP/s and
# of the square dgemm's best GFLOP/s (the peak line), and last which
# family grulab runs when OPENBLAS_CORETYPE is not set.
#   GRULAB    the grulab binary (default: src/grulab beside this script)
set -u
here=$(cd "$(dirname "$0")" && pwd)
GRULAB=${GRULAB:-$here/../src/grulab}
rounds=${1:-3}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
[ -x "$GRULAB" ] || { echo "blas-kernels: no grulab binary at $GRULAB" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/blas-kernels.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p"; }

flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has() { case " $flags " in *" $1 "*) return 0 ;; esac; return 1; }
cores="Prescott"
has avx && cores="$cores Sandybridge"
has avx2 && has fma && cores="$cores Haswell Zen"
has avx512f && has avx512dq && has avx512bw && has avx512vl && cores="$cores SkylakeX"

echo "# blas-kernels: $(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), one thread, rounds=$rounds"
echo "# families this CPU runs: $cores"
sizes="small:1:32:16:100:100 medium:32:128:64:100:20 large:64:512:512:50:3"
r=1
while [ "$r" -le "$rounds" ]; do
  for core in $cores; do
    for s in $sizes; do
      IFS=: read -r name B H I T iters <<EOF
$s
EOF
      OPENBLAS_CORETYPE=$core "$GRULAB" bench --cell gru --batch "$B" \
        --hidden-size "$H" --input-size "$I" --seq-len "$T" --iters "$iters" \
        --peak >"$tmp/out" || exit 1
      sed -n '$p' "$tmp/out" | field median_ms >>"$tmp/$core.$name.ms"
      sed -n '$p' "$tmp/out" | field gflops >>"$tmp/$core.$name.gf"
      sed -n '/^peak/p' "$tmp/out" | field gflops >>"$tmp/$core.$name.pk"
    done
  done
  r=$((r + 1))
done

echo
echo "| kernels | size (B, H, I, T) | ms | GFLOP/s | dgemm best GFLOP/s |"
echo "| --- | --- | --- | --- | --- |"
for core in $cores; do
  for s in $sizes; do
    IFS=: read -r name B H I T iters <<EOF
$s
EOF
    echo "| $core | $name ($B, $H, $I, $T) | $(median <"$tmp/$core.$name.ms") | $(median <"$tmp/$core.$name.gf") | $(median <"$tmp/$core.$name.pk") |"
  done
done
echo
echo "# without OPENBLAS_CORETYPE grulab runs: $(env -u OPENBLAS_CORETYPE "$GRULAB" --version | sed -n 's/^BLAS kernels: //p')"
