# lecture.sh -- the lecturers' material from --quick runs, in a temporary
# directory (tests/notebook/lecture_check.py says what it checks): every
# chart declares its takeaway; the handouts of chapters 7 and 9 (the most
# charts) and the slides of chapters 2 and 9 are self-contained and show
# every chart with its title and takeaway; chapter 9's handout prints on 2
# to 4 A4 pages and chapter 2's deck on 16:9 pages; the answer key gives
# every answer the chapters compute, and prints.  (One handout, one deck
# and the answer key are printed, all three by one Chromium.)  SKIPs, with
# the reason, when python3, pandoc, gnuplot or chromium (or
# chromium-headless-shell) is missing.
. "${top_srcdir:-.}/tests/notebook/notebook-setup.sh"
notebook_need "$PYTHON3:python3" pandoc:pandoc "${GNUPLOT:-gnuplot}:gnuplot-nox"
notebook_need_chromium
notebook_runs lecture
L=$TMP/lecture
for c in ch07-vanishing ch09-reading-text; do
  weave_or_fail "the handout of $c" handout --srcdir "$top_srcdir" \
    --rundir "$TMP/run" --out "$L/handouts" --quick $c
done
for c in ch02-hidden-state ch09-reading-text; do
  weave_or_fail "the slides of $c" slides --srcdir "$top_srcdir" \
    --rundir "$TMP/run" --out "$L/slides" --quick $c
done
weave_or_fail "the answer key" answers --srcdir "$top_srcdir" \
  --bindir "$top_builddir/chapters" --out "$L/answers.html" $CHAPTER_NAMES
weave_or_fail "chapter 9's handout, chapter 2's slides and the answer key, printed" pdf \
  "$L/handouts/ch09-reading-text.html" "$L/handouts/ch09-reading-text.pdf" \
  "$L/slides/ch02-hidden-state.html" "$L/slides/ch02-hidden-state.pdf" \
  "$L/answers.html" "$L/answers.pdf"
"$PYTHON3" "$top_srcdir/tests/notebook/lecture_check.py" "$L" "$TMP/run" \
  "$top_builddir/chapters" $CHAPTER_NAMES
