# xref.sh -- every "chapter N §K" in the chapters (their sources and what
# they print) and in the lab's files points to a chapter and a section that
# exist, and every chapter's prerequisites are earlier chapters
# (tests/chapters/xref.py says how).  SKIPs, with the reason, when python3
# is missing.
: "${top_builddir:=.}" "${top_srcdir:=.}" "${PYTHON3:=python3}"
if ! command -v "$PYTHON3" >/dev/null 2>&1; then
  echo "1..0 # SKIP $PYTHON3 is missing (Debian package python3)"
  exit 0
fi
TMPDIR_XREF=$(mktemp -d "${TMPDIR:-/tmp}/grulab-xref.XXXXXX") || exit 99
trap 'rm -rf "$TMPDIR_XREF"' EXIT
# What each chapter prints at --quick: the runs the tests share
# (tests/chapters/quick-run.sh), as RUNS/NAME.run.
. "$top_srcdir/tests/chapters/quick-run.sh"
TMP=$TMPDIR_XREF
mkdir "$TMP/runs"
for c in $CHAPTER_NAMES; do
  quick_run "$c"
  ln -s "$QUICK/$c.run" "$TMP/runs/$c.run"
  ln -s "$QUICK/$c.rc" "$TMP/runs/$c.rc"
done
XREF_RUNS=$TMP/runs "$PYTHON3" "$top_srcdir/tests/chapters/xref.py" "$top_srcdir" "$top_builddir" \
  $CHAPTER_NAMES ${LAB_FILE_NAMES:+--lab $LAB_FILE_NAMES}
