#!/usr/bin/env python3
"""notebook_check.py -- TAP checks of a woven notebook (tests/notebook/notebook.sh).

    notebook_check.py OUTDIR RUNDIR NAME...

For each chapter NAME, against the run's own output RUNDIR/NAME.run (read
here independently of the weaver, by splitting at its "#grl:" markers):
  - OUTDIR/NAME.html exists and says it is a quick run;
  - every section the run printed has a heading (#sK), and the output block
    after it is exactly the text the section printed;
  - every chart the section committed is an <img> in that section;
  - the page ends with 3 to 5 exercises;
and for every page (index and source pages too) and every file in OUTDIR:
  - every <img>/<object>/<link>/<a> that points into the book points to a
    file that exists;
  - nothing refers to another host (http:, https:, //, ftp:) in src, href,
    data, xlink:href or CSS url();
  - no raw TeX in the visible text (outside code and the hidden MathML
    annotation): no $, no \\command, no ^{ or _{ ;
  - a page with equations has <math> elements;
  - a lab page (OUTDIR/lab/) carries no quick-run banner, and a chapter
    page links it.
"""
import html.parser
import os
import re
import sys

from tap import done, ok


class Page(html.parser.HTMLParser):
    """Collects what the checks need from one HTML page."""
    VOID = {"img", "meta", "link", "br", "hr", "input", "source", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.refs = []           # (tag, attr, value)
        self.text = []           # visible prose text (not code, not math source)
        self.blocks = []         # (heading id or None, class, text) for pre
        self.imgs = []           # (current section id, src)
        self.heading = None
        self.pre = None
        self.math = 0
        self.exercises = None
        self.li_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k in ("src", "href", "data", "xlink:href") and v is not None:
                self.refs.append((tag, k, v))
        if tag == "h2":           # a section is everything up to the next h2
            self.heading = a.get("id")
        if tag == "h2" and a.get("id") == "exercises":
            self.exercises = 0
        if tag == "pre":
            self.pre = (a.get("class") or "", [])
        if tag == "img":
            self.imgs.append((self.heading, a.get("src")))
        if tag == "math":
            self.math += 1
        if tag == "ol" and self.exercises is not None and self.li_depth == 0:
            self.li_depth = 1
        elif tag == "li" and self.li_depth == 1 and self.exercises is not None:
            self.exercises += 1
            self.li_depth = 2
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            t = self.stack.pop()
            if t == tag:
                break
        if tag == "pre" and self.pre is not None:
            self.blocks.append((self.heading, self.pre[0], "".join(self.pre[1])))
            self.pre = None
        if tag == "li" and self.li_depth == 2:
            self.li_depth = 1

    def handle_data(self, data):
        if self.pre is not None:
            self.pre[1].append(data)
            return
        hidden = {"annotation", "style", "script", "code", "title"}
        if not hidden.intersection(self.stack):
            self.text.append(data)


# pandoc's highlighted code is a <span class=".."> per token, most of a
# page's tags: they hold no link and hide no text, so they are dropped
# before parsing (a span with any other attribute is kept).
SPAN = re.compile(r'<span(?: (?:class|id)="[^"<>]*")*>|</span>')
PARSED = {}


def parse(path):
    """The page at path, parsed once."""
    if path not in PARSED:
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(SPAN.sub("", f.read()))
        p.close()
        PARSED[path] = p
    return PARSED[path]


def run_sections(txt):
    """[(k, title, output text, [charts])] from a run's marked output."""
    secs = []
    cur = None
    for line in txt.split("\n"):
        if line.startswith("#grl:section "):
            head, title = line[len("#grl:section "):].split("\t", 1)
            cur = [int(head.split()[0]), title, [], []]
            secs.append(cur)
        elif line.startswith("#grl:chart ") and cur:
            cur[3].append(line.split()[1])
        elif line.startswith("#grl:end"):
            cur = None
        elif line.startswith("#grl:"):
            continue
        elif cur is not None:
            cur[2].append(line)
    out = []
    for k, title, lines, charts in secs:
        lines = [l for l in lines if not l.startswith("== [%d] " % k)]
        out.append((k, title, "\n".join(lines).strip("\n"), charts))
    return out


def run_texts(txt):
    """[(what, text)]: the run's takeaways and exercises, as printed."""
    out = []
    for line in txt.split("\n"):
        if line.startswith("#grl:takeaway "):
            chart, text = line[len("#grl:takeaway "):].split("\t", 1)
            out.append(("takeaway " + chart, text))
        elif line.startswith("#grl:exercise "):
            head, text = line[len("#grl:exercise "):].split("\t", 1)
            out.append(("exercise " + head.split()[0], text.replace("\\n", "\n")))
    return out


# Code spans and $math$ are the only markup a takeaway or an exercise
# holds; the rest is plain text, shown as written.
CODE_OR_MATH = re.compile(r"(`+)[^`].*?\1|\$[^$\s](?:[^$]*?[^$\s\\])?\$(?!\d)",
                          re.S)
# pandoc's typography (smart quotes, ellipses), undone; not its dashes:
# "--seed" must show as two hyphens.
SMART = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
         "\u2026": "..."}


def flat(text):
    for k, v in SMART.items():
        text = text.replace(k, v)
    return re.sub(r"\s+", " ", text).strip()


def missing_plain(text, visible):
    """The pieces of TEXT outside code and math that the page's visible
    text (flattened) does not hold verbatim."""
    return [piece for piece in (flat(t) for t in CODE_OR_MATH.split(text)
                                if t and not re.fullmatch(r"`+", t))
            if piece and piece not in visible]


EXTERNAL = re.compile(r"^\s*(https?:|ftp:|//)", re.I)
TEX = re.compile(r"\$|\\[A-Za-z]+|\^\{|_\{")


def check_refs(page_path, refs, outdir):
    bad_ext, missing = [], []
    base = os.path.dirname(page_path)
    for tag, attr, v in refs:
        if EXTERNAL.match(v):
            bad_ext.append("%s %s=%s" % (tag, attr, v))
            continue
        if v.startswith("#") or v.startswith("data:"):
            continue
        target = os.path.normpath(os.path.join(base, v.split("#")[0]))
        if not os.path.exists(target):
            missing.append("%s %s=%s" % (tag, attr, v))
    rel = os.path.relpath(page_path, outdir)
    ok(not bad_ext, "%s: no reference to another host" % rel, *bad_ext)
    ok(not missing, "%s: every link and image points to a file that exists" % rel,
       *missing)


def main(argv):
    outdir, rundir, names = argv[1], argv[2], argv[3:]
    for name in names:
        page = os.path.join(outdir, name + ".html")
        if not ok(os.path.isfile(page), "%s.html exists" % name):
            continue
        p = parse(page)
        with open(os.path.join(rundir, name + ".run"), encoding="utf-8") as f:
            secs = run_sections(f.read())
        ok(len(secs) > 0, "%s: the run printed sections" % name)
        ok("quick run: numbers are not the chapter's results" in
           " ".join(p.text).replace("\u2019", "'"),
           "%s: says it is a quick run" % name)
        outputs = {}
        for hid, cls, text in p.blocks:
            if "output" in cls.split() and hid:
                outputs.setdefault(hid, []).append(text.strip("\n"))
        for k, title, text, charts in secs:
            got = outputs.get("s%d" % k, [])
            ok(len(got) == 1 and got[0] == text and text.strip(),
               "%s: section %d (%s) shows exactly its output" % (name, k, title),
               "page blocks: %r" % [g[:200] for g in got], "run: %r" % text[:200])
            imgs = [src for hid, src in p.imgs if hid == "s%d" % k]
            want = ["charts/%s.svg" % c for c in charts]
            ok(imgs == want, "%s: section %d shows its charts %s" % (name, k, want),
               "got %r" % imgs)
        # Takeaways and exercises are plain text: a "*" or "_" in them
        # must show as written, not turn what follows into emphasis.
        visible = flat("".join(p.text))
        with open(os.path.join(rundir, name + ".run"), encoding="utf-8") as f:
            texts = run_texts(f.read())
        for what, text in texts:
            bad = missing_plain(text, visible)
            ok(not bad, "%s: the page shows %s's text as written" % (name, what),
               *("not on the page: %r" % b for b in bad))
        ok(p.exercises is not None and 3 <= p.exercises <= 5,
           "%s: ends with 3 to 5 exercises" % name, "got %r" % p.exercises)
    chapter_refs = {}
    for name in names:
        page = os.path.join(outdir, name + ".html")
        if os.path.isfile(page):
            chapter_refs[name] = [v for _, _, v in parse(page).refs]
    pages = []
    for root, _, files in os.walk(outdir):
        for f in files:
            if f.endswith(".html"):
                pages.append(os.path.join(root, f))
    for page in sorted(pages):
        p = parse(page)
        rel = os.path.relpath(page, outdir)
        banner = ("quick run: numbers are not the chapter's results" in
                  " ".join(p.text).replace("\u2019", "'"))
        if rel.startswith("lab" + os.sep):
            # a lab page holds no run's numbers: no banner; and a chapter
            # page links it (the chapters its Prerequisites name)
            ok(not banner, "%s: no quick-run banner (no run's numbers)" % rel)
            ok(any(os.path.basename(page) in r and r.startswith("lab/")
                   for n in names for r in chapter_refs.get(n, [])),
               "%s: a chapter page links it" % rel)
        else:
            ok(banner, "%s: says it is a quick run" % rel)
        check_refs(page, p.refs, outdir)
        text = " ".join(p.text)
        m = TEX.search(text)
        ok(m is None, "%s: no raw TeX in the text" % os.path.relpath(page, outdir),
           m and "...%s..." % text[max(0, m.start() - 60):m.end() + 60])
        with open(page, encoding="utf-8") as f:
            src = f.read()
        if "application/x-tex" in src or "displaystyle" in src:
            ok(p.math > 0, "%s: its equations are MathML" % os.path.relpath(page, outdir))
    # The answer key (make answers) is for instructors only.
    leaked = [os.path.relpath(p, outdir) for p in pages
              if re.search(r"How the chapter computes it|#grl:solution|\*\*Answer|"
                           r"<strong>Answer", open(p, encoding="utf-8").read())]
    ok(not leaked, "no page of the students' notebook carries the answers",
       *leaked)
    # Style sheets and charts must not fetch anything either.
    ext = []
    for root, _, files in os.walk(outdir):
        for f in files:
            if f.endswith((".css", ".svg")):
                path = os.path.join(root, f)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    s = fh.read()
                for m in re.finditer(r"url\(\s*['\"]?([^)'\"]+)|@import\s+['\"]?([^'\";]+)"
                                     r"|(?:xlink:)?href\s*=\s*['\"]([^'\"]+)", s):
                    v = next(g for g in m.groups() if g)
                    if EXTERNAL.match(v):
                        ext.append("%s: %s" % (os.path.relpath(path, outdir), v))
    ok(not ext, "no style sheet or chart refers to another host", *ext)
    return done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
