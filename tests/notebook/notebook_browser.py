#!/usr/bin/python3
"""notebook_browser.py -- open every page of a woven notebook in headless
Chromium, driven by chromedriver through Selenium, with networking off.

    notebook_browser.py BOOKDIR

Prints TAP.  For every page BOOKDIR/*.html, BOOKDIR/src/*.html and BOOKDIR/lab/*.html:
  - no console message at level SEVERE (errors, failed loads included);
  - no failed network request (the DevTools log's Network.loadingFailed);
  - no request to anything but a file: URL (data: is fine);
  - every <img> has loaded with a non-zero natural size;
  - every <math> element is laid out (non-zero box) and the rendered text
    holds no TeX ($, \\command);
  - a 1280x800 screenshot is not blank: more than 8 colours, and more than
    1% of its pixels differ from the background.
Exit status 77 (with "1..0 # SKIP reason") when Selenium or chromedriver is
missing, so that `make check` reports the reason.
"""
import json
import os
import re
import sys

from tap import done, ok, skip_all

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    skip_all("python3-selenium is missing (apt-get install python3-selenium)")

CHROMEDRIVER = "/usr/bin/chromedriver"
# Chromium's headless shell when it is installed (Debian's package
# chromium-headless-shell: the same Blink and V8 without the browser
# around them, which chromedriver drives alike for two thirds of the CPU),
# else chromium itself, headless.  The shell's binary, not the script
# /usr/bin/chromium-headless-shell that runs it without exec: chromedriver
# ends the process it started, and the browser would outlive the script.
CHROMIUMS = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")

# How many colours, and what fraction of pixels differ from the top-left
# pixel (the page's background), in a PNG screenshot -- decoded by the
# browser itself, on a canvas, so that no image library is needed.  (The
# pixels as 32-bit words, a bit per 24-bit colour: a few milliseconds
# where a Set of a million colours took a tenth of a second.)
SCREENSHOT_STATS = """
const [png, done] = arguments;
const img = new Image();
img.onload = () => {
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const g = c.getContext('2d', {willReadFrequently: true});
  g.drawImage(img, 0, 0);
  const px = new Uint32Array(g.getImageData(0, 0, c.width, c.height).data.buffer);
  const seen = new Uint8Array(1 << 21);
  // R, G and B of each RGBA word: the low bytes, or the high ones on a
  // big-endian machine
  const big = new Uint8Array(new Uint32Array([1]).buffer)[0] === 0;
  const rgb = big ? (w => w >>> 8) : (w => w & 0xffffff);
  const bg = rgb(px[0]);
  let colours = 0, differ = 0;
  for (let i = 0; i < px.length; i++) {
    const v = rgb(px[i]), bit = 1 << (v & 7);
    if (v !== bg) differ++;
    if (!(seen[v >> 3] & bit)) { seen[v >> 3] |= bit; colours++; }
  }
  done({w: c.width, h: c.height, colours: colours,
        differ: differ / (c.width * c.height)});
};
img.onerror = () => done(null);
img.src = 'data:image/png;base64,' + png;
"""

PAGE_STATE = """
const imgs = Array.from(document.images).map(i => ({
  src: i.getAttribute('src'), complete: i.complete,
  w: i.naturalWidth, h: i.naturalHeight}));
const maths = Array.from(document.querySelectorAll('math')).map(m => {
  const r = m.getBoundingClientRect(); return {w: r.width, h: r.height};});
// the rendered prose: without code blocks (where \\ and $ are C)
const prose = Array.from(document.body.querySelectorAll('*'))
  .filter(e => !e.closest('pre, code') && e.checkVisibility())
  .flatMap(e => Array.from(e.childNodes))
  .filter(t => t.nodeType === Node.TEXT_NODE)
  .map(t => t.data).join(' ');
return {imgs: imgs, maths: maths, text: prose,
        mathml: typeof MathMLElement !== 'undefined'};
"""


def main(argv):
    book = os.path.abspath(argv[1])
    chromium = next((c for c in CHROMIUMS if os.path.exists(c)), None)
    if chromium is None:
        skip_all("chromium is missing (apt-get install chromium-headless-shell"
                 " or chromium)")
    if not os.path.exists(CHROMEDRIVER):
        skip_all("chromedriver is missing (apt-get install chromium-driver)")
    pages = sorted(os.path.join(book, f) for f in os.listdir(book)
                   if f.endswith(".html"))
    for sub in ("src", "lab"):
        d = os.path.join(book, sub)
        if os.path.isdir(d):
            pages += sorted(os.path.join(d, f) for f in os.listdir(d)
                            if f.endswith(".html"))
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1280,800",
              "--hide-scrollbars",
              # no network: every host name fails to resolve, and there is
              # no proxy to reach either
              "--host-resolver-rules=MAP * ~NOTFOUND",
              "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
              "--disable-background-networking", "--disable-component-update",
              "--no-first-run", "--disable-sync"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL",
                                              "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except Exception as e:    # no display, a broken install: say so, fail
        ok(False, "chromium starts under chromedriver", e)
        return done()
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1,
            "uploadThroughput": -1})
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1280, "height": 800, "deviceScaleFactor": 1,
            "mobile": False})
        for page in pages:
            check_page(driver, book, page)
    finally:
        driver.quit()
    return done()


def check_page(driver, book, page):
    rel = os.path.relpath(page, book)
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get("file://" + page)
    driver.execute_script("return document.fonts.ready.then(() => true)")
    st = driver.execute_script(PAGE_STATE)
    console = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    ok(not console, "%s: no console errors" % rel,
       *["%s: %s" % (e.get("level"), e.get("message")) for e in console])
    failed_loads, foreign = [], []
    for e in driver.get_log("performance"):
        msg = json.loads(e["message"])["message"]
        if msg["method"] == "Network.loadingFailed":
            failed_loads.append(msg["params"].get("errorText", "?") + " " +
                                msg["params"].get("requestId", ""))
        if msg["method"] == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            if not url.startswith(("file:", "data:")):
                foreign.append(url)
    ok(not failed_loads, "%s: no failed loads" % rel, *failed_loads)
    ok(not foreign, "%s: nothing requested from another host" % rel, *foreign)
    bad = [i for i in st["imgs"] if not (i["complete"] and i["w"] > 0 and i["h"] > 0)]
    ok(not bad, "%s: all %d images have a natural size" % (rel, len(st["imgs"])),
       *["%s: complete=%s %dx%d" % (i["src"], i["complete"], i["w"], i["h"])
         for i in bad])
    if st["maths"]:
        flat = [m for m in st["maths"] if not (m["w"] > 0 and m["h"] > 0)]
        ok(st["mathml"] and not flat,
           "%s: %d equations laid out as MathML" % (rel, len(st["maths"])),
           "MathMLElement: %s, %d with an empty box" % (st["mathml"], len(flat)))
    tex = re.search(r"\\[A-Za-z]+|\$|[_^]\{", st["text"])
    ok(tex is None, "%s: no TeX in the rendered text" % rel,
       tex and st["text"][max(0, tex.start() - 60):tex.end() + 60])
    driver.execute_script("window.scrollTo(0, 0)")
    # the viewport's PNG, as WebDriver's screenshot takes it, with the
    # quicker compression (the same pixels)
    png = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "optimizeForSpeed": True})["data"]
    s = driver.execute_async_script(SCREENSHOT_STATS, png)
    ok(s and s["w"] >= 1280 and s["h"] >= 800 and s["colours"] > 8
       and s["differ"] > 0.01,
       "%s: the 1280x800 screenshot is not blank" % rel, "stats: %r" % s)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: notebook_browser.py BOOKDIR\n")
        sys.exit(2)
    sys.exit(main(sys.argv))
