# cli-threads.sh -- the same seed gives the same bytes at any thread count:
# grulab train on 1 and on 2 OpenMP threads (the sequence driver runs the
# batch's row blocks in parallel when OMP_NUM_THREADS asks for threads;
# a batch is split from 64 rows on, so --batch 64 gives two blocks of 32),
# and with OpenBLAS on 1 and 2 threads.
. "$top_srcdir/tests/tap.sh"
plan 4
for cell in gru lstm; do
  for n in 1 2; do
    OMP_NUM_THREADS=$n OPENBLAS_NUM_THREADS=$n OMP_WAIT_POLICY=passive \
      "$GRULAB" train --task adding --cell $cell --length 12 --batch 64 \
      --steps 30 --seed 7 --save "$TMP/$cell-$n.txt" >"$TMP/$cell-$n.out" 2>&1
    echo "$?" >"$TMP/$cell-$n.rc"
  done
  ok "$cell: training exits 0 on 1 and 2 threads" \
    test "$(cat "$TMP/$cell-1.rc")$(cat "$TMP/$cell-2.rc")" = 00
  ok "$cell: the trained parameters are byte-identical on 1 and 2 threads" \
    cmp -s "$TMP/$cell-1.txt" "$TMP/$cell-2.txt"
done
done_testing
