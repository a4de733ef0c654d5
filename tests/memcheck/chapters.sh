# tests/memcheck/chapters.sh -- every chapter's --quick run under memcheck
# (`make check-valgrind`): it must run to the end; report.sh then reads
# valgrind's reports.  The chapters' own tests (tests/chNN-*.sh) check
# their output.
. "$top_srcdir/tests/tap.sh"

set -- $MEMCHECK_CHAPTERS
plan $#
for chap in "$@"; do
  mkdir "$TMP/$chap"
  # Chapter 8's --quick trains 15 nets for 150 steps: about 15 minutes of
  # CPU under memcheck, the whole pass's long pole.  One seed per
  # configuration and 20 steps run the same code (every cell, the parallel
  # runs, the charts) in a tenth of that.
  extra=
  [ "$chap" = ch08-long-memory ] && extra="--steps 20 --seeds 1"
  "$top_srcdir/tests/memcheck/run" "$top_builddir/chapters/$chap" --quick --seed 7 \
    $extra --outdir "$TMP/$chap" >"$TMP/$chap.out" 2>"$TMP/$chap.err"; rc=$?
  # 0, or 1 for a failed check of the lesson's own: valgrind computes long
  # double in double precision and does not model floating-point exception
  # flags, so a lesson's numbers may differ under it; the chapter's own
  # test (tests/chNN-*.sh) judges them.  A crash or a usage error fails.
  if [ "$rc" = 0 ] || { [ "$rc" = 1 ] && grep -q 'FAILED$' "$TMP/$chap.out"; }; then
    pass "$chap --quick ran to the end under memcheck (exit $rc)"
  else
    fail "$chap --quick ran to the end under memcheck (exit $rc)"
    diag "stderr:" "$(cat "$TMP/$chap.err")" "last lines of stdout:" \
      "$(tail -n 15 "$TMP/$chap.out")"
  fi
  if [ "$rc" != 0 ]; then
    diag "$chap under valgrind: $(grep -c 'FAILED' "$TMP/$chap.out") lines FAILED:" \
      "$(grep 'FAILED' "$TMP/$chap.out")" "$(cat "$TMP/$chap.err")"
  fi
  grep 'skipped:' "$TMP/$chap.out" | sed 's/^ */skipped in '"$chap"': /' | while IFS= read -r l; do diag "$l"; done
done
done_testing
