#!/bin/sh
# vs-pytorch.sh -- grulab against PyTorch (float64, CPU) in one run, with
# the same thread count for both.  Not part of `make check`.
#
#   bench/vs-pytorch.sh [THREADS] [ROUNDS]        (defaults 1 and 3)
#
# Sizes (B, H, I, T): small (1, 32, 16, 100), medium (32, 128, 64, 100),
# large (64, 512, 512, 50): forward plus full BPTT of a GRU, median ms;
# both sides compute the same gradients: the parameters', the input's and
# the initial state's.  (Until 2026-12-01 the PyTorch side skipped the
# input's, which grulab computes: a sixth of the large size's flops.)
# grulab's side is `grulab bench --peak`, so each of its lines also
# carries the best rate of a square dgemm through the same CBLAS.  The two
# sides alternate ROUNDS times and the table quotes the median of the
# rounds' medians, so a drift in the machine's speed hits both.
# Then the adding problem, `grulab train --task adding --cell gru
# --seq-len 50 --seed 5` against the same training in PyTorch (H 32, B 50,
# Adam 1e-3, clip 1, 3000 steps): training seconds and test MSE.
#
# Threads: OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set to THREADS for
# both processes, and the PyTorch side calls torch.set_num_threads(THREADS)
# (its BLAS calls use OpenBLAS's own pool, which set_num_threads does not
# limit).  Other OpenBLAS settings in the environment, such as
# OPENBLAS_CORETYPE, reach both sides alike.
#
# Kernels: where OpenBLAS picks kernels below what the CPU runs (the SSE3
# "Prescott" fallback on a CPU it does not know, its AVX2 kernels on an
# AVX-512 EPYC), grulab runs itself again with OPENBLAS_CORETYPE set to
# the best the CPU runs (see `grulab --version`).  PyTorch on the same
# OpenBLAS does not, so the script sets that OPENBLAS_CORETYPE for both
# sides: the two then run the same dgemm kernels, and the ratio measures
# everything but the GEMM kernel.  KERNELS=as-installed leaves PyTorch on
# OpenBLAS's own choice instead (grulab still fixes its own).  The header
# names the kernels each side ran.
#
# PyTorch is optional: without it (python3 -c 'import torch' fails) the
# script says so and exits 0 after grulab's own numbers.
#   GRULAB    the grulab binary (default: src/grulab beside this script)
#   PYTHON    the Python with torch (default: /usr/bin/python3 when it
#             exists, Debian's python3-torch lives there; else python3)
#   STEPS     training steps (default 3000)
set -u
here=$(cd "$(dirname "$0")" && pwd)
GRULAB=${GRULAB:-$here/../src/grulab}
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi
STEPS=${STEPS:-3000}
threads=${1:-1}
rounds=${2:-3}
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
KERNELS=${KERNELS:-same}

[ -x "$GRULAB" ] || { echo "vs-pytorch: no grulab binary at $GRULAB (build first, or set GRULAB)" >&2; exit 1; }
torch=yes
if ! "$PYTHON" -c 'import torch' >/dev/null 2>&1; then
  torch=no
fi
# The kernels grulab chose, when it chose (see "Kernels" above).
core=$("$GRULAB" --version | sed -n 's/^BLAS kernels: \([A-Za-z0-9]*\) (set by grulab.*/\1/p')
if [ -n "$core" ] && [ "$KERNELS" = same ]; then
  export OPENBLAS_CORETYPE=$core
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vs-pytorch.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.e+-]*\).*/\1/p"; }

echo "# vs-pytorch: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(getconf _NPROCESSORS_ONLN) cores, threads=$threads, rounds=$rounds"
echo "# BLAS kernels: grulab $("$GRULAB" --version | sed -n 's/^BLAS kernels: //p')${OPENBLAS_CORETYPE:+; OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE for both sides}"
if [ "$torch" = yes ]; then
  echo "# BLAS kernels: torch $("$PYTHON" "$here/torch_gru.py" kernels | sed -n 's/^torch kernels=//p')"
  echo "# torch $("$PYTHON" -c 'import torch; print(torch.__version__)')"
else
  echo "# PyTorch not found ($PYTHON -c 'import torch' failed): grulab's numbers only"
fi

sizes="small:1:32:16:100:100 medium:32:128:64:100:20 large:64:512:512:50:3"
for s in $sizes; do
  IFS=: read name B H I T iters <<EOF2
$s
EOF2
  r=1
  while [ $r -le "$rounds" ]; do
    "$GRULAB" bench --cell gru --batch "$B" --hidden-size "$H" --input-size "$I" \
      --seq-len "$T" --iters "$iters" --peak >"$tmp/g" || exit 1
    [ $r = 1 ] && sed -n 1p "$tmp/g"
    field median_ms <"$tmp/g" | tail -1 >>"$tmp/$name.g"
    sed -n 's/^peak.*gflops=\([0-9.]*\).*/\1/p' "$tmp/g" >>"$tmp/$name.peak"
    field gflops <"$tmp/g" | tail -1 >>"$tmp/$name.gf"
    if [ "$torch" = yes ]; then
      "$PYTHON" "$here/torch_gru.py" bench "$B" "$H" "$I" "$T" "$iters" >"$tmp/t" || exit 1
      field median_ms <"$tmp/t" >>"$tmp/$name.t"
    fi
    r=$((r + 1))
  done
done

echo
echo "| size (B, H, I, T) | grulab ms | GFLOP/s | dgemm peak GFLOP/s | efficiency | torch ms | torch / grulab |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for s in $sizes; do
  IFS=: read name B H I T iters <<EOF2
$s
EOF2
  g=$(median <"$tmp/$name.g"); gf=$(median <"$tmp/$name.gf"); pk=$(median <"$tmp/$name.peak")
  eff=$(awk -v a="$gf" -v b="$pk" 'BEGIN {printf "%.0f%%", 100 * a / b}')
  if [ "$torch" = yes ]; then
    t=$(median <"$tmp/$name.t")
    ratio=$(awk -v a="$t" -v b="$g" 'BEGIN {printf "%.2fx", a / b}')
  else
    t=-; ratio=-
  fi
  echo "| $name ($B, $H, $I, $T) | $g | $gf | $pk | $eff | $t | $ratio |"
done

echo
"$GRULAB" train --task adding --cell gru --seq-len 50 --seed 5 --steps "$STEPS" >"$tmp/train" 2>&1 || { cat "$tmp/train"; exit 1; }
gs=$(sed -n 's/^steps [0-9]* seconds \([0-9.]*\).*/\1/p' "$tmp/train")
gm=$(sed -n 's/^test mse \([0-9.e+-]*\).*/\1/p' "$tmp/train")
if [ "$torch" = yes ]; then
  "$PYTHON" "$here/torch_gru.py" train 50 "$STEPS" 5 >"$tmp/ttrain" || exit 1
  ts=$(field seconds <"$tmp/ttrain"); tm=$(field test_mse <"$tmp/ttrain")
  ratio=$(awk -v a="$ts" -v b="$gs" 'BEGIN {printf "%.2fx", a / b}')
else
  ts=-; tm=-; ratio=-
fi
echo "| adding, gru, T = 50, $STEPS steps | grulab s | grulab test MSE | torch s | torch test MSE | torch / grulab |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| threads=$threads | $gs | $gm | $ts | $tm | $ratio |"
exit 0
