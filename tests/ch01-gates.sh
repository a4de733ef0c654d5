# ch01-gates.sh -- chapter 1 runs, and its charts are complete and render.
. "$top_srcdir/tests/chapter.sh"; chapter_test ch01-gates
