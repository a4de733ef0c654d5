# ch07-vanishing.sh -- chapter 7 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch07-vanishing
