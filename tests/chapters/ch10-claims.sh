# ch10-claims.sh -- chapter 10 runs, and its charts are complete and
# render.  Its curves against seconds and its step times are wall-clock
# measurements: the determinism check blanks the lines that carry them
# (they start with "time") and the charts' seconds columns (sec0, sec1,
# ...), and proves everything else byte-identical for the same seed.
chapter_params_once=yes
chapter_mask='s/^  time .*/  time/'
chapter_mask_columns='^sec[0-9]+$'
chapter_bad_options="--seeds 2
--seeds 21
--threads 0"
. "$top_srcdir/tests/chapters/chapter.sh"; chapter_test ch10-claims
