# ch06-vanishing.sh -- chapter 6 runs, and its charts are complete and render.
. "$top_srcdir/tests/chapter.sh"; chapter_test ch06-vanishing
