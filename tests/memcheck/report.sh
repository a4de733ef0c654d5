# tests/memcheck/report.sh -- the last test of `make check-valgrind`: one
# assertion per program run under memcheck (tests/memcheck/run wrote one
# report each into $GRL_MEMCHECK): no error, no definite or indirect leak
# (both counted in the ERROR SUMMARY), and a report that valgrind finished.
#
# One exception, for leaks only: a program that a test ended on purpose
# by a signal's default action (tests/cli/interrupt.sh's second SIGINT,
# which ends grulab at once, by design) never frees what it holds, so its
# report lists that memory as lost.  Its leaks are not counted when both
# the test recorded it ($GRL_MEMCHECK/signalled-on-purpose: the report's
# file name and the signal, written by tests/tap.sh's
# bg_signalled_on_purpose) and valgrind's report says the process ended by
# that very signal ("Process terminating with default action of signal N
# (SIGINT)").  Its ERRORS always count: an invalid read or write, a jump
# on an uninitialised value, a bad free, are bugs however the program
# ends.  (Memcheck counts each shown loss record as one error; the other
# errors are the ERROR SUMMARY's count less those records.)
. "$top_srcdir/tests/tap.sh"

set -- "$GRL_MEMCHECK"/*.log
[ -f "$1" ] || set --
plan $(($# + 1))
ok "memcheck ran $# programs" [ "$#" -gt 0 ]
for log in "$@"; do
  cmd=$(sed -n 's/^==[0-9]*== Command: //p' "$log" | head -n 1 | sed "s|$top_builddir/||g; s|${TMPDIR:-/tmp}/||g" | cut -c1-150)
  summary=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  # the signal the test ended this program with on purpose, if any
  sig=$(awk -v f="$(basename "$log")" '$1 == f { print $2 }' \
          "$GRL_MEMCHECK/signalled-on-purpose" 2>/dev/null | tail -n 1)
  if [ -n "$sig" ] && [ -n "$summary" ] \
     && grep -Eq "^==[0-9]+== Process terminating with default action of signal [0-9]+ \($sig\)" "$log"; then
    leaks=$(grep -Ec '^==[0-9]+== .* are (definitely|indirectly) lost in loss record ' "$log")
    errors=$((summary - leaks))
    if [ "$errors" = 0 ]; then
      pass "memcheck: $cmd: no error (ended by $sig on purpose: $leaks loss records not counted)"
    else
      fail "memcheck: $cmd: no error (ended by $sig on purpose: $leaks loss records not counted)"
      diag "$errors errors besides the $leaks loss records ($log):" \
        "$(sed 's/^==[0-9]*== //' "$log" | grep -v '^--[0-9]*--' | tail -n 80)"
    fi
    continue
  fi
  if [ "$summary" = 0 ]; then
    pass "memcheck: $cmd: no error, no definite or indirect leak"
  else
    fail "memcheck: $cmd: no error, no definite or indirect leak"
    if [ -z "$summary" ]; then
      diag "valgrind did not finish its report ($log):"
    else
      diag "$summary errors ($log):"
    fi
    diag "$(sed 's/^==[0-9]*== //' "$log" | grep -v '^--[0-9]*--' | tail -n 80)"
  fi
done
done_testing
