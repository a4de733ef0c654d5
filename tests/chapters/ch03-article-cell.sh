# ch03-article-cell.sh -- chapter 3 runs, and its charts are complete and render.
chapter_params_once=yes
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch03-article-cell
