# notebook-browser.sh -- every page of the woven notebook (from --quick
# runs) opened in headless Chromium with networking off, driven by
# chromedriver through Selenium (tests/notebook_browser.py says what it
# asserts).  SKIPs, with the reason, when chromium, chromium-driver,
# python3-selenium, pandoc or gnuplot is missing; .ci/run installs them.
: "${top_builddir:=.}" "${top_srcdir:=.}" "${PYTHON3:=python3}"
# Debian's python3-selenium is a module of the system python3.
SYSPY=/usr/bin/python3
[ -x "$SYSPY" ] || SYSPY=$PYTHON3
for tool in "$SYSPY:python3" pandoc:pandoc "${GNUPLOT:-gnuplot}:gnuplot-nox" \
            chromium:chromium chromedriver:chromium-driver; do
  prog=${tool%%:*}
  if ! command -v "$prog" >/dev/null 2>&1; then
    echo "1..0 # SKIP $prog is missing (Debian package ${tool#*:})"
    exit 0
  fi
done
if ! "$SYSPY" -c 'import selenium' 2>/dev/null; then
  echo "1..0 # SKIP Selenium is missing (Debian package python3-selenium)"
  exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/grulab-browser.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
weave() { "$PYTHON3" "$top_srcdir/chapters/weave.py" "$@"; }
for c in $NOTEBOOK_CHAPTERS; do
  weave run "$top_builddir/chapters/$c" "$TMP/run" --quick >"$TMP/log" 2>&1 || {
    echo "1..1"; echo "not ok 1 - the quick run of $c"; sed 's/^/# /' "$TMP/log"; exit 1; }
done
weave book --srcdir "$top_srcdir" --rundir "$TMP/run" --out "$TMP/book" --quick \
  $NOTEBOOK_CHAPTERS >"$TMP/log" 2>&1 || {
  echo "1..1"; echo "not ok 1 - weave.py book"; sed 's/^/# /' "$TMP/log"; exit 1; }
HOME=$TMP "$SYSPY" "$top_srcdir/tests/notebook_browser.py" "$TMP/book"
