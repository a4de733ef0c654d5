# ch07-long-memory.sh -- chapter 7 runs, and its charts are complete and
# render.  Its charts are deterministic, but its table prints wall-clock
# seconds, so the byte-for-byte determinism check is skipped.
chapter_determinism=no
. "$top_srcdir/tests/chapter.sh"; chapter_test ch07-long-memory
