# ch10-claims.sh -- chapter 10 runs, and its charts are complete and
# render.  Its curves against seconds and its step times are wall-clock
# measurements, so two runs never give the same charts byte for byte: the
# determinism check is off (the same seed still trains the same runs).
chapter_params_once=yes
chapter_determinism=no
chapter_bad_options="--seeds 2
--seeds 21
--threads 0"
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch10-claims
