# ch09-reading-text.sh -- chapter 9 runs, and its charts are complete and
# render.  Its training time and characters per second are wall-clock
# numbers; they are masked before the byte-for-byte determinism check.
chapter_params_once=yes
chapter_mask='s/(took|seconds?) [0-9.]+ s for [0-9]+ steps: [0-9]+ /\1 SECONDS /; s/^(  +[0-9]+ +[0-9.]+ +([0-9.]+|-) +[0-9.]+) +[0-9.]+$/\1 SECONDS/'
chapter_bad_options="--steps 0
--hidden-size 0
--hidden-size 5000
--text /nonexistent/file
--text /
--hidden-siz 8 --hiden-size 8"
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch09-reading-text
