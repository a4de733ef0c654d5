# notebook-browser.sh -- every page of the woven notebook (from --quick
# runs) opened in headless Chromium with networking off, driven by
# chromedriver through Selenium (tests/notebook/notebook_browser.py says what it
# asserts; it uses Chromium's headless shell when that is installed).
# SKIPs, with the reason, when chromium (or chromium-headless-shell),
# chromium-driver, python3-selenium, pandoc or gnuplot is missing;
# bootstrap and .ci/run install them.
. "${top_srcdir:-.}/tests/notebook/notebook-setup.sh"
# Debian's python3-selenium is a module of the system python3.
SYSPY=/usr/bin/python3
[ -x "$SYSPY" ] || SYSPY=$PYTHON3
notebook_need "$SYSPY:python3" pandoc:pandoc "${GNUPLOT:-gnuplot}:gnuplot-nox" \
  chromedriver:chromium-driver
notebook_need_chromium
if ! "$SYSPY" -c 'import selenium' 2>/dev/null; then
  echo "1..0 # SKIP Selenium is missing (Debian package python3-selenium)"
  exit 0
fi
notebook_weave browser
HOME=$TMP "$SYSPY" "$top_srcdir/tests/notebook/notebook_browser.py" "$TMP/book"
