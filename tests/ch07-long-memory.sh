# ch07-long-memory.sh -- chapter 7 runs, and its charts are complete and
# render.  Its results table prints wall-clock seconds and ms/step (the
# 5th and 6th columns of a table row); those are masked before the
# byte-for-byte determinism check, everything else must be identical.
chapter_mask='s/^(  (rnn|gru|gru-cho|lstm|seed) +[0-9]+ +[0-9]+ +[0-9.e+-]+) +[0-9.]+ +[0-9.]+/\1 SECONDS MS/'
# Bad values of its own options are usage errors, before any training.
chapter_bad_options="--cells foo
--cells=
--cells gru,,rnn
--cells rnn,gru,lstm,seed,gru-cho,gru
--steps 0
--hidden-size 0
--hidden-size 200000
--steps ' 5'"
. "$top_srcdir/tests/chapter.sh"; chapter_test ch07-long-memory
