#!/bin/sh
# bench-gradcheck.sh -- how long a full central check takes (the target:
# I=16 H=32 T=50 B=4, about 8,100 entries and 16,000 forward passes,
# under 5 s on two cores).  Not part of `make check`: the
# machine is shared and noisy, so speed is measured here, not asserted.
#
#   tests/cli/bench-gradcheck.sh [path/to/grulab] [runs]
#
# Uses hyperfine when it is installed (median of `runs`), else times the
# runs with --time and prints the median of the numerical part.
GRULAB=${1:-src/grulab}
RUNS=${2:-5}
ARGS="gradcheck --cell gru --input-size 16 --hidden-size 32 --seq-len 50 --batch 4 --method central"
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json /dev/stdout \
    "$GRULAB $ARGS" | awk -F'[:,]' '/"median"/ { printf "median %.3f s\n", $2 }'
else
  i=0
  while [ $i -lt "$RUNS" ]; do
    "$GRULAB" $ARGS --time | awk '/^# time:/ { print $3 }'
    i=$((i + 1))
  done | sort -g | awk '{ v[NR] = $1 } END { printf "median %.3f s (numerical part)\n", v[int((NR + 1) / 2)] }'
fi
