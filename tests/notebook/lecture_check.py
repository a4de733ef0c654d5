#!/usr/bin/env python3
"""lecture_check.py -- TAP checks of the lecturers' material
(tests/notebook/notebook.sh weaves it from --quick runs).

    lecture_check.py LECTDIR RUNDIR BINDIR NAME...

  - every chart of every chapter NAME declares its takeaway (the run's
    "#grl:takeaway" markers);
  - each LECTDIR/handouts/NAME.html and LECTDIR/slides/NAME.html that
    exists is one self-contained file: nothing refers to another host or to
    another file, every image is embedded (a data: URI with content);
  - a handout shows every chart of the run with its title and takeaway,
    the learning goals and 3 to 5 exercises;
  - a deck has a title slide and one slide per chart, each with its chart
    and its takeaway;
  - LECTDIR/answers.html gives every exercise of every chapter the answer
    the chapter computes (BINDIR/NAME --solutions), or says there is none
    (tests/notebook/notebook_check.py checks that the students' notebook
    does not carry them);
  - each PDF that exists renders (pdfinfo): a handout on 2 to 4 A4 pages, a
    deck on 16:9 pages, one per slide, the answer key on A4; pdftotext
    finds the takeaways in the deck.
"""
import html
import html.parser
import os
import re
import shutil
import subprocess
import sys

from tap import done, ok



def skip(name, why):
    ok(True, "%s # SKIP %s" % (name, why))


class Doc(html.parser.HTMLParser):
    """The references, images, and the text of elements by class."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs, self.imgs, self.stack = [], [], []
        self.sections = []        # [(class, text, imgs)] for <section>
        self.captions = []        # figcaption texts
        self.h2 = []
        self.li_after = {}        # h2 text -> list items at depth 1 below it
        self._h2 = None
        self._cap = None
        self._h = None
        self._ol = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "data", "xlink:href"):
            if a.get(k) is not None:
                self.refs.append((tag, k, a[k]))
        if tag == "img":
            self.imgs.append(a.get("src") or "")
            if self.sections and "section" in self.stack:
                self.sections[-1][2].append(a.get("src") or "")
        if tag == "section":
            self.sections.append([a.get("class") or "", [], []])
        if tag == "figcaption":
            self._cap = []
        if tag == "h2":
            self._h = []
        if tag == "ol":
            self._ol += 1
        if tag == "li" and self._ol == 1 and self._h2 is not None:
            self.li_after.setdefault(self._h2, []).append(1)
        if tag not in ("img", "meta", "link", "br", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("img", "meta", "link", "br", "hr", "input"):
            return
        while self.stack:
            if self.stack.pop() == tag:
                break
        if tag == "figcaption" and self._cap is not None:
            self.captions.append(" ".join(self._cap))
            self._cap = None
        if tag == "h2" and self._h is not None:
            self._h2 = " ".join(self._h).strip()
            self.h2.append(self._h2)
            self._h = None
        if tag == "ol":
            self._ol -= 1

    def handle_data(self, data):
        if "annotation" in self.stack or "style" in self.stack or \
                "script" in self.stack:
            return
        if self._cap is not None:
            self._cap.append(data)
        if self._h is not None:
            self._h.append(data)
        if self.sections and "section" in self.stack:
            self.sections[-1][1].append(data)


def parse(path):
    d = Doc()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    d.feed(text)
    d.close()
    return d, text


def words(s):
    """The words of a text outside its $math$, for comparing it with what
    pandoc rendered of it."""
    s = re.sub(r"\$[^$]*\$", " ", s)
    return re.findall(r"[A-Za-z]{3,}|\d+(?:\.\d+)?", html.unescape(s))


def contains(text, want):
    got = " ".join(words(text))
    return all(w in got for w in words(want))


def run_markers(rundir, name):
    charts, takes, titles = [], {}, {}
    with open(os.path.join(rundir, name + ".run"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#grl:chart "):
                charts.append(line.split()[1])
            elif line.startswith("#grl:takeaway "):
                c, t = line[len("#grl:takeaway "):].rstrip("\n").split("\t", 1)
                takes[c] = t
    for c in charts:
        with open(os.path.join(rundir, c + ".dat"), encoding="utf-8") as f:
            titles[c] = f.readline().split(": ", 1)[-1].strip()
    return charts, takes, titles


def self_contained(rel, d, text):
    bad = [r for r in d.refs if not r[2].startswith(("data:", "#"))]
    ok(not bad, "%s: refers to no other file and no other host" % rel,
       *["%s %s=%s" % r for r in bad[:5]])
    urls = re.findall(r"url\(\s*['\"]?([^)'\"]+)", text)
    urls = [u for u in urls if not u.startswith("data:")]
    ok(not urls, "%s: its style sheets fetch nothing" % rel, *urls[:5])
    empty = [s[:40] for s in d.imgs if not re.match(r"data:image/[^;]+;base64,.{100}", s)]
    ok(d.imgs and not empty, "%s: all %d images are embedded" % (rel, len(d.imgs)),
       *empty)


def pdfinfo(path):
    p = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    info = dict(l.split(":", 1) for l in p.stdout.splitlines() if ":" in l)
    pages = int(info.get("Pages", "0").strip())
    m = re.match(r"\s*([\d.]+) x ([\d.]+) pts", info.get("Page size", ""))
    size = (float(m.group(1)), float(m.group(2))) if m else (0, 0)
    return pages, size


def main(argv):
    lect, rundir, bindir, names = argv[1], argv[2], argv[3], argv[4:]
    have_pdf = shutil.which("pdfinfo") and shutil.which("pdftotext")
    for name in names:
        charts, takes, titles = run_markers(rundir, name)
        missing = [c for c in charts if c.split("-", 1)[1] not in takes]
        ok(charts and not missing, "%s: every chart declares its takeaway" % name,
           *["%s has none (grl_lesson_takeaway)" % c for c in missing])
        take = {c: takes.get(c.split("-", 1)[1], "") for c in charts}

        path = os.path.join(lect, "handouts", name + ".html")
        if os.path.exists(path):
            rel = "handouts/%s.html" % name
            d, text = parse(path)
            self_contained(rel, d, text)
            bad = [c for i, c in enumerate(charts)
                   if i >= len(d.captions) or
                   not contains(d.captions[i], titles[c] + " " + take[c])]
            ok(len(d.captions) == len(charts) and not bad,
               "%s: its %d charts, each with its title and takeaway"
               % (rel, len(charts)), "captions: %r" % d.captions[:3],
               *["%s: %s %s" % (c, titles[c], take[c]) for c in bad])
            ok("What you will learn" in d.h2,
               "%s: the learning goals" % rel, "h2: %r" % d.h2)
            nex = len(d.li_after.get("Exercises", []))
            ok(3 <= nex <= 5, "%s: 3 to 5 exercises" % rel, "got %d" % nex)
            pdf = path[:-5] + ".pdf"
            if os.path.exists(pdf) and have_pdf:
                info = pdfinfo(pdf)
                ok(info and 2 <= info[0] <= 4 and abs(info[1][0] - 595) < 2
                   and abs(info[1][1] - 842) < 2,
                   "handouts/%s.pdf renders on 2 to 4 A4 pages" % name,
                   "pdfinfo: %r" % (info,))

        path = os.path.join(lect, "slides", name + ".html")
        if os.path.exists(path):
            rel = "slides/%s.html" % name
            d, text = parse(path)
            self_contained(rel, d, text)
            ok('class="slide title-slide"' in text, "%s: a title slide" % rel)
            slides = [s for s in d.sections if "chart-slide" in s[0]]
            bad = [c for i, c in enumerate(charts)
                   if i >= len(slides) or len(slides[i][2]) != 1 or
                   not contains(" ".join(slides[i][1]), titles[c] + " " + take[c])]
            ok(len(slides) == len(charts) and not bad,
               "%s: a slide per chart (%d), each with its chart, title and"
               " takeaway" % (rel, len(charts)),
               *["%s: %s / %s" % (c, titles[c], take[c]) for c in bad])
            pdf = path[:-5] + ".pdf"
            if os.path.exists(pdf) and have_pdf:
                info = pdfinfo(pdf)
                want = len(charts) + 2    # the title and the closing slide
                ok(info and info[0] == want and
                   abs(info[1][0] / info[1][1] - 16 / 9) < 0.01,
                   "slides/%s.pdf renders %d slides on 16:9 pages" % (name, want),
                   "pdfinfo: %r" % (info,))
                p = subprocess.run(["pdftotext", pdf, "-"], capture_output=True,
                                   text=True)
                lost = [c for c in charts if not contains(p.stdout, take[c])]
                ok(p.returncode == 0 and not lost,
                   "slides/%s.pdf: the takeaways are in its text" % name,
                   *lost)

    path = os.path.join(lect, "answers.html")
    d, text = parse(path)
    bad = [r for r in d.refs if not r[2].startswith(("data:", "#"))]
    ok(not bad, "answers.html: refers to no other file and no other host",
       *["%s %s=%s" % r for r in bad[:5]])
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    discuss = 0
    for name in names:
        p = subprocess.run([os.path.join(bindir, name), "--solutions"],
                           env=dict(os.environ, GRULAB_MARKERS="1"),
                           capture_output=True, text=True)
        ks = [l for l in p.stdout.splitlines() if l.startswith("#grl:exercise ")]
        vals = dict(l[len("#grl:solution "):].split("\t", 1)
                    for l in p.stdout.splitlines() if l.startswith("#grl:solution "))
        miss = ["exercise %s: %.10g" % (k, float(v)) for k, v in vals.items()
                if "Answer: %.10g" % float(v) not in plain]
        discuss += len(ks) - len(vals)
        ok(p.returncode == 0 and ks and not miss,
           "answers.html: %s's %d answers, as --solutions computes them"
           % (name, len(vals)), *miss)
    ok(plain.count("no number to compute") == discuss,
       "answers.html: each of the %d exercises without a number says so"
       % discuss, "said %d times" % plain.count("no number to compute"))

    pdf = path[:-5] + ".pdf"
    if have_pdf and os.path.exists(pdf):
        info = pdfinfo(pdf)
        ok(info and info[0] >= 1 and abs(info[1][0] - 595) < 2,
           "answers.pdf renders on A4", "pdfinfo: %r" % (info,))
    elif not have_pdf:
        skip("the PDFs render", "pdfinfo is missing (Debian package poppler-utils)")
    return done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
