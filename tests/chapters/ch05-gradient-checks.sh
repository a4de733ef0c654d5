# ch05-gradient-checks.sh -- chapter 5 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch05-gradient-checks
