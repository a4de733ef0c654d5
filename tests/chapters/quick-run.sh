# quick-run.sh -- the --quick run of a chapter that the tests share.
#
#   sh tests/chapters/quick-run.sh BIN DIR [ARG...]
#
# runs BIN (chapters/chNN-slug) as `BIN --quick --seed 7 --outdir NAME
# ARG...` from DIR, with the notebook's section markers (GRULAB_MARKERS=1),
# and leaves in DIR: NAME/ (its charts), NAME.run (stdout, markers and
# all), NAME.err (stderr) and, written last, NAME.rc (the exit status).
# It exits 0 unless DIR cannot be written: a chapter that fails is the
# tests' news, not make's.
#
# make check runs it once per chapter into tests/chapters/quick/ before the
# tests that read the run (chapters/local.mk): the chapter's own test
# (tests/chapters/chapter.sh), the notebook's, which weaves the book from
# all of them (tests/notebook/notebook-setup.sh), the cross-references'
# (tests/chapters/xref.sh) and the exercises'.  Before, each of them ran
# the chapters itself: chapter 10's --quick five times.  Sourced instead
# (by those tests), it defines quick_run NAME, which sets QUICK to the
# directory that holds NAME's run: make's, or, when that is missing or
# older than the program (a test run by hand), a fresh one in $TMP/quick.
quick_run() {
  QUICK=${top_builddir:-.}/tests/chapters/quick
  if ! test -f "$QUICK/$1.rc" || test "${top_builddir:-.}/chapters/$1" -nt "$QUICK/$1.rc"; then
    QUICK=$TMP/quick
    sh "${top_srcdir:-.}/tests/chapters/quick-run.sh" "${top_builddir:-.}/chapters/$1" "$QUICK"
  fi
}

# Run as a script: do it.
case ${0##*/} in
quick-run.sh)
  bin=$1 dir=$2
  shift 2
  name=${bin##*/}
  case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
  mkdir -p "$dir" && rm -rf "$dir/$name" "$dir/$name.rc" && mkdir "$dir/$name" || exit 1
  (cd "$dir" && GRULAB_MARKERS=1 "$bin" --quick --seed 7 --outdir "$name" "$@" \
     >"$name.run" 2>"$name.err"; echo $? >"$name.rc-t") &&
    mv "$dir/$name.rc-t" "$dir/$name.rc"
  ;;
esac
