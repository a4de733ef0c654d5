# tests/memcheck/report.sh -- the last test of `make check-valgrind`: one
# assertion per program run under memcheck (tests/memcheck/run wrote one
# report each into $GRL_MEMCHECK): no error, no definite or indirect leak
# (both counted in the ERROR SUMMARY), and a report that valgrind finished.
. "$top_srcdir/tests/tap.sh"

set -- "$GRL_MEMCHECK"/*.log
[ -f "$1" ] || set --
plan $(($# + 1))
ok "memcheck ran $# programs" [ "$#" -gt 0 ]
for log in "$@"; do
  cmd=$(sed -n 's/^==[0-9]*== Command: //p' "$log" | head -n 1 | sed "s|$top_builddir/||g; s|$TMPDIR||g" | cut -c1-150)
  summary=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  if [ "$summary" = 0 ]; then
    pass "memcheck: $cmd: no error, no definite or indirect leak"
  else
    fail "memcheck: $cmd: no error, no definite or indirect leak"
    if [ -z "$summary" ]; then
      diag "valgrind did not finish its report ($log):"
    else
      diag "$summary errors ($log):"
    fi
    diag "$(sed 's/^==[0-9]*== //' "$log" | tail -n 80)"
  fi
done
done_testing
