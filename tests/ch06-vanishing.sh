# ch06-vanishing.sh -- chapter 6 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapter.sh"; chapter_test ch06-vanishing
