# ch02-hidden-state.sh -- chapter 2 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch02-hidden-state
