# notebook.sh -- the woven notebook, from --quick runs, in a temporary
# directory: every chapter page exists, every section shows exactly the
# output it printed and its charts, every page ends with its exercises,
# every image and link points to a file that exists, nothing refers to
# another host, and no raw TeX is left (tests/notebook/notebook_check.py says how).
# SKIPs, with the reason, when python3, pandoc or gnuplot is missing.
. "${top_srcdir:-.}/tests/notebook/notebook-setup.sh"
notebook_need "$PYTHON3:python3" pandoc:pandoc "${GNUPLOT:-gnuplot}:gnuplot-nox"
notebook_weave notebook
"$PYTHON3" "$top_srcdir/tests/notebook/notebook_check.py" "$TMP/book" "$TMP/run" $CHAPTER_NAMES
