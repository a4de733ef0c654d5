# ch01-gates.sh -- chapter 1 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch01-gates
