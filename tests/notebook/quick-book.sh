# quick-book.sh -- the notebook woven from the chapters' quick runs, once,
# for the three tests that read it (notebook.sh, notebook-browser.sh,
# lecture.sh): make check runs it with the test programs (check_DATA in
# chapters/notebook/local.mk), after the quick runs
# (tests/chapters/quick-run.sh).  It leaves tests/notebook/quick-book/
# with run/ (the runs, laid out as weave.py run leaves them), book/ and,
# last, stamp; if a run or the weaving failed, no stamp, and the tests
# weave their own and report what failed.  It exits 0 either way (a
# failure is the tests' news, not make's), and does nothing when python3,
# pandoc or gnuplot is missing (the tests skip then).
. "${top_srcdir:-.}/tests/notebook/notebook-setup.sh"
for prog in "$PYTHON3" pandoc "${GNUPLOT:-gnuplot}"; do
  command -v "$prog" >/dev/null 2>&1 || exit 0
done
rm -rf "$SHARED"
(notebook_weave share) >/dev/null 2>&1 || true
exit 0
