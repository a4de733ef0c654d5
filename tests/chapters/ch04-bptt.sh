# ch04-bptt.sh -- chapter 4 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch04-bptt
