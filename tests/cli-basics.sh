. "$top_srcdir/tests/tap.sh"
plan 1
run_cli --version
is "version exit" "$rc" 0
done_testing
