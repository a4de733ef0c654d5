#!/usr/bin/env python3
"""weave.py -- the notebook weaver: one HTML page per chapter, built from
the chapter's source and a real run of it.

    weave.py run BINARY RUNDIR [--quick]
        Run one chapter with GRULAB_MARKERS=1, its charts into RUNDIR
        (RUNDIR/chNN-CHART.dat and .gp), its output into RUNDIR/NAME.run
        (with the markers) and RUNDIR/NAME.txt (without), each written
        whole at the end.  Prints each section's title as the chapter
        reaches it.
    weave.py charts --srcdir DIR --rundir DIR --out DIR --term png,pdf NAME
        Render the charts of NAME's run with gnuplot and plots/style.gp
        (`make plots`).
    weave.py page --srcdir DIR --rundir DIR --out DIR [--quick] NAME...
        For the first NAME (the others are the book's chapters, in order,
        for the page's links): render its charts to OUT/charts/*.svg and
        weave OUT/NAME.html.  OUT/NAME.html and OUT/.digest/NAME (a hash of
        the page, its style and its charts) are written only when they
        change, so that an unchanged page is not printed again.
    weave.py source --srcdir DIR --out DIR [--quick] NAME
        OUT/src/NAME.c.html: the chapter's source, every line numbered
        (with --quick only OUT/src/NAME.c, the plain text: a preview's page
        shows all the code anyway, and the highlighting costs the most).
    weave.py index --srcdir DIR --out DIR [--quick] NAME...
        OUT/index.html: every chapter's title, prerequisites and goals, and
        a link to each OUT/pdf/NAME.pdf that exists.
    weave.py pdf HTML PDF [HTML PDF]...
        Print each HTML to its PDF, all with one headless chromium.
    weave.py handout --srcdir DIR --rundir DIR --out DIR [--quick] NAME
        OUT/NAME.html, one self-contained page to print (2-4 A4 pages): the
        chapter's prerequisites, learning goals and equations, its charts
        with their titles and takeaways, and its exercises.
    weave.py slides --srcdir DIR --rundir DIR --out DIR [--quick] NAME
        OUT/NAME.html, a 16:9 deck in one self-contained file: a title
        slide, then a slide per chart with its title and its takeaway.
    weave.py answers --srcdir DIR --bindir DIR --out FILE NAME...
        FILE (HTML): every exercise of every chapter with the answer the
        chapter computes (chNN-slug --solutions) and the function that
        computes it -- for instructors, outside the students' book.
    weave.py lab --srcdir DIR --out DIR [--quick] [--report FILE] NAME
        OUT/lab/NAME.html: the lab file lab/NAME.c (written the same way,
        "# Lab N: Title"), and the grader's REPORT on it as handed out.
    weave.py book --srcdir DIR --rundir DIR --out DIR [--quick] NAME...
        page and source for every NAME, then index (what the tests weave).

A chapter's source is Markdown and C, docco style (nothing is guessed):
  * A prose block is a comment whose "/*" and "*/" each stand alone on
    their line at column 0.  The lines between are Markdown, handed to
    pandoc as they are.  Everything else is C, shown as code.
  * The first prose block opens the chapter; its first line is
    "# Chapter N: Title", the page's title.
  * A prose block that starts "## K. Title" introduces section K (the K-th
    grl_lesson_section call of a run); the weaver gives the heading the
    anchor #sK and puts section K's output and charts after the code that
    follows the block.
  * The run's output carries markers (chapters/lib/grl_lesson.h lists
    them).  Every section's output is the text between its marker and the
    next one, exactly as printed.  A chart's takeaway (grl_lesson_takeaway)
    is its caption.
pandoc does all the Markdown and HTML; this script only splices.

Why Python: the weaver is text plumbing around pandoc, gnuplot and chromium;
Python 3's standard library does that in a few hundred lines, with no
module from outside it.
"""
import argparse
import base64
import concurrent.futures
import glob
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

MARK = "#grl:"
QUICK_NOTE = "quick run: numbers are not the chapter's results"
# The Markdown the chapters are written in: pandoc's, with $math$, and no
# raw HTML or TeX, so that "<float.h>" and "\tanh" outside $...$ show as
# they are written.
MARKDOWN = "markdown+tex_math_dollars-raw_html-raw_tex"

# Debian packages that provide the programs the notebook runs.
PACKAGES = {"pandoc": "pandoc", "gnuplot": "gnuplot-nox",
            "chromium": "chromium"}


def die(msg):
    sys.stderr.write("weave.py: %s\n" % msg)
    sys.exit(1)


def need(prog):
    path = shutil.which(prog)
    if not path:
        die("%s is missing; install the Debian package '%s'"
            " (apt-get install %s), or run ./bootstrap"
            % (prog, PACKAGES[prog], PACKAGES[prog]))
    return path


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write_whole(path, text):
    """Write text to path through a temporary file: whole or not at all
    (and whole whichever of two weavers running at once writes last)."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_if_changed(path, text):
    """As write_whole, but leave the file (and its date) alone when it
    already holds text."""
    if os.path.exists(path) and read(path) == text:
        return
    write_whole(path, text)


def number_of(name):
    """chNN-slug's chapter number, or NN-slug's (a lab file's)."""
    m = re.match(r"(?:ch)?(\d+)", name)
    return int(m.group(1)) if m else 0


# ---------------------------------------------------------------------------
# Running a chapter
# ---------------------------------------------------------------------------

def run_chapter(binary, rundir, quick):
    name = os.path.basename(binary)
    os.makedirs(rundir, exist_ok=True)
    # Run from rundir's parent, so that the banner names the folder
    # ("charts in plots"), not this machine's path.
    rundir = os.path.abspath(rundir)
    args = [os.path.abspath(binary), "--outdir", os.path.basename(rundir)]
    if quick:
        args.append("--quick")
    env = dict(os.environ, GRULAB_MARKERS="1")
    print("  RUN      %s%s" % (name, " --quick" if quick else
                                " (default size)"), flush=True)
    t0 = time.monotonic()
    started = time.time()
    p = subprocess.Popen(args, cwd=os.path.dirname(rundir), env=env, stdout=subprocess.PIPE,
                         text=True, encoding="utf-8")
    out = []
    for line in p.stdout:
        out.append(line)
        if line.startswith(MARK + "section "):
            k, rest = line[len(MARK) + 8:].split(" ", 1)
            title = rest.split("\t", 1)[1].rstrip("\n")
            print("           %5.0fs  [%s] %s" % (time.monotonic() - t0, k,
                                                 title), flush=True)
    rc = p.wait()
    if rc != 0:
        path = os.path.join(rundir, name + ".failed.txt")
        write_whole(path, "".join(out))
        die("%s exited with status %d; its output is in %s" % (name, rc, path))
    print("           %5.0fs  done" % (time.monotonic() - t0), flush=True)
    write_whole(os.path.join(rundir, name + ".txt"),
                "".join(l for l in out if not l.startswith(MARK)))
    marked = os.path.join(rundir, name + ".run")
    write_whole(marked, "".join(out))
    # Dated when the run STARTED: a program rebuilt while it ran is newer
    # than its output, so make runs it again.
    os.utime(marked, (started, started))


# ---------------------------------------------------------------------------
# Reading a run's output
# ---------------------------------------------------------------------------

class Section:
    def __init__(self, k, line, title):
        self.k, self.line, self.title = k, line, title
        self.lines = []      # the output, as printed, minus the rule line
        self.charts = []


def parse_run(text):
    run = {"name": None, "title": None, "head": [], "sections": [],
           "tail": [], "exercises": [], "takeaways": {}, "solutions": {}}
    cur = run["head"]
    sec = None
    for line in text.split("\n"):
        if line.startswith(MARK):
            kind, _, rest = line[len(MARK):].partition(" ")
            if kind == "chapter":
                run["name"], run["title"] = rest.split("\t", 1)
            elif kind == "section":
                head, title = rest.split("\t", 1)
                k, ln = head.split()
                sec = Section(int(k), int(ln), title)
                run["sections"].append(sec)
                cur = sec.lines
            elif kind == "chart":
                if sec is None:
                    die("chart %s before the first section" % rest)
                sec.charts.append(rest.strip())
            elif kind == "takeaway":
                chart, text = rest.split("\t", 1)
                run["takeaways"][chart] = text
            elif kind == "end":
                cur = run["tail"]
            elif kind == "exercise":
                head, body = rest.split("\t", 1)
                k, tol = head.split()
                run["exercises"].append((int(k), float(tol),
                                         body.replace("\\n", "\n")))
            elif kind == "solution":
                k, value = rest.split("\t", 1)
                run["solutions"][int(k)] = value
            else:
                die("unknown marker '%s'" % line)
            continue
        cur.append(line)
    for s in run["sections"]:
        # Drop the section's own rule "== [K] Title ===" and blank edges.
        s.lines = trim([l for l in s.lines
                        if not l.startswith("== [%d] " % s.k)])
    run["head"] = trim(run["head"])
    run["tail"] = trim(run["tail"])
    if not run["name"]:
        die("no #grl:chapter marker: was the chapter run by `weave.py run`?")
    return run


def read_run(rundir, name):
    path = os.path.join(rundir, name + ".run")
    if not os.path.exists(path):
        die("%s was not run (no %s)" % (name, path))
    return parse_run(read(path))


def trim(lines):
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


# ---------------------------------------------------------------------------
# Reading a chapter's source: prose blocks and code
# ---------------------------------------------------------------------------

HEADING = re.compile(r"^## (\d+)\. ")
TITLE = re.compile(r"^# (?:Chapter|Lab) (\d+)(?: \(([^)]*)\))?: (.+)$")


class Cell:
    """A prose block and the code after it, up to the next prose block."""
    def __init__(self, start, prose):
        self.start = start   # the source line (1-based) of its "/*"
        self.prose = prose   # Markdown lines
        self.code = []
        m = HEADING.match(prose[0]) if prose else None
        self.k = int(m.group(1)) if m else None


def parse_source(text, name="chapter"):
    """(title, opening Markdown lines, cells).  The code before the first
    prose block after the opening is cells[0], a cell without prose."""
    lines = text.split("\n")
    cells = [Cell(0, [])]
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "/*":
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "*/":
                j += 1
            if j == len(lines):
                die("%s:%d: a prose block without its closing '*/' line"
                    % (name, i + 1))
            cells.append(Cell(i + 1, lines[i + 1:j]))
            i = j + 1
            continue
        cells[-1].code.append(lines[i])
        i += 1
    if trim(cells[0].code) or len(cells) < 2:
        die("%s: a chapter opens with its prose block ('/*' alone on line 1)"
            % name)
    opening = cells[1]
    m = TITLE.match(opening.prose[0]) if opening.prose else None
    if not m:
        die("%s:2: the opening prose block starts '# Chapter N: Title' (or"
            " '# Lab N: Title')" % name)
    title = ("(%s) " % m.group(2) if m.group(2) else "") + m.group(3).strip()
    declarations = Cell(0, [])
    declarations.code = opening.code
    cells = [declarations] + cells[2:]
    for c in cells:
        # Code inside a function after a prose block is shown from its
        # own left margin.
        c.code = trim(c.code)
        n = min((len(l) - len(l.lstrip(" ")) for l in c.code if l.strip()),
                default=0)
        c.code = [l[n:] for l in c.code]
    return title, opening.prose[1:], cells


def part(prose, heading):
    """The Markdown under the opening's "### HEADING..." (up to the next
    heading), or []."""
    out, inside = [], False
    for l in prose:
        if l.startswith("#"):
            inside = re.match(r"#+\s+" + re.escape(heading), l, re.I) is not None
            continue
        if inside:
            out.append(l)
    return trim(out)


def prerequisites(prose):
    """The opening's "**Prerequisites:** ..." paragraph."""
    out = []
    for l in prose:
        if l.startswith("**Prerequisites:**") or (out and l.strip()):
            out.append(l)
        elif out:
            break
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Weaving a page
# ---------------------------------------------------------------------------

def fence(lines, cls):
    return "~~~~~~~~ {.%s}\n%s\n~~~~~~~~" % (cls, "\n".join(lines))


def nav(prev, nxt, index="index.html"):
    """The links between pages: the previous chapter, the contents and the
    next chapter; the first and the last chapter name the contents once."""
    links = ["[← Chapter %d](%s.html)" % (number_of(prev), prev)] if prev \
        else []
    links.append("[Contents](%s)" % index)
    if nxt:
        links.append("[Chapter %d →](%s.html)" % (number_of(nxt), nxt))
    return "::: nav\n%s\n:::\n" % " · ".join(links)


def section_prose(cell):
    """The cell's Markdown; a section heading gets the anchor #sK."""
    lines = list(cell.prose)
    if cell.k is not None and "{" not in lines[0]:
        lines[0] += " {#s%d}" % cell.k
    return "\n".join(lines) + "\n"


# A takeaway or an exercise is one text for the terminal (--help) and for
# the page: plain text, but for its `code` spans and $math$, which pandoc
# reads as such.  Everything else is escaped, so that "/* ... */" or
# "gsl_sf*.h" shows as written, not as emphasis.
CODE_OR_MATH = re.compile(r"(`+)[^`].*?\1|\$[^$\s](?:[^$]*?[^$\s\\])?\$(?!\d)",
                          re.S)


def text_markdown(text):
    """TEXT, plain text with `code` and $math$, as pandoc Markdown that
    shows it as written: the characters that Markdown reads as markup
    (emphasis, links, headings, lists, quotes, line breaks, and "--",
    which would become a dash) are backslash-escaped outside code and
    math."""
    def esc(t):
        t = re.sub(r"([\\*_\[\]<>#~^|])", r"\\\1", t)
        # "--seed" stays two hyphens, not pandoc's en dash
        t = re.sub(r"-(?=-)|(?<=-)-", r"\\-", t)
        # what only marks up at the start of a line: a list, a quote
        t = re.sub(r"(?m)^(\s*)([-+=])", r"\1\\\2", t)
        return re.sub(r"(?m)^(\s*\d+)([.)])", r"\1\\\2", t)
    out, pos = [], 0
    for m in CODE_OR_MATH.finditer(text):
        out.append(esc(text[pos:m.start()]) + m.group(0))
        pos = m.end()
    return "".join(out) + esc(text[pos:])


def chart_figure(name, chart, run, rundir):
    # The chart's title is drawn in the chart itself; the caption is the
    # takeaway the run measured, and links the numbers and the script.
    take = text_markdown(run["takeaways"].get(chart.split("-", 1)[1], ""))
    return ("![%s%s[the numbers](charts/%s.dat) · [the gnuplot script]"
            "(charts/%s.gp)](charts/%s.svg){.chart}\n"
            % (take + " " if take else "", "" if take else "chart %s: " % chart,
               chart, chart, chart))


def section_output(name, s, run, rundir):
    md = ["::: {.outlabel}\noutput of §%d\n:::\n" % s.k,
          fence(s.lines, "output")]
    md += [chart_figure(name, c, run, rundir) for c in s.charts]
    return md


def exercises_markdown(name, run):
    md = []
    for k, tol, text in run["exercises"]:
        body = text_markdown(text.strip("\n"))
        if tol > 0:
            body += ("\n\nCheck your number: `chapters/%s --answer %d VALUE`"
                     " (right within %g%%)." % (name, k, tol * 100))
        elif tol < 0:   # a whole-number answer: only the exact one is right
            body += ("\n\nCheck your number: `chapters/%s --answer %d VALUE`"
                     " (a whole number: only the exact one is right)."
                     % (name, k))
        lines = body.split("\n")
        md.append("%-4s%s" % ("%d." % k, lines[0]) + "".join(
            "\n" + ("    " + b if b else "") for b in lines[1:]))
    return md


def weave_page(name, src_text, run, rundir, quick, prev, nxt, labs=()):
    title, opening, cells = parse_source(src_text, name)
    src_lines = src_text.split("\n")
    by_k = {c.k: c for c in cells if c.k is not None}
    outputs = {}
    for s in run["sections"]:
        if not (0 < s.line <= len(src_lines) and
                "grl_lesson_section" in src_lines[s.line - 1]):
            die("%s: section %d's marker names line %d, which does not call"
                " grl_lesson_section: the run is older than the source (run"
                " the chapter again)" % (name, s.k, s.line))
        if s.k not in by_k:
            die("%s: the run printed section %d (%s), but no prose block"
                " starts '## %d. '" % (name, s.k, s.title, s.k))
        outputs.setdefault(s.k, []).append(s)
    for k in by_k:
        if k not in outputs:
            die("%s: a prose block starts '## %d. ', but the run printed no"
                " section %d" % (name, k, k))
    md = []
    if quick:
        md.append("::: quick\n%s\n:::\n" % QUICK_NOTE)
    md.append(nav(prev, nxt))
    md.append("\n".join(opening) + "\n")
    md.append("::: source\nSource: [chapters/%s.c](%s) · "
              "the exact run below: `%s`\n:::\n"
              % (name, source_link(name, quick),
                 " ".join(["chapters/" + name] + (["--quick"] if quick else []))))
    md.append("## The run {#run}\n")
    md.append(fence(run["head"], "output"))
    for c in cells:
        if c.prose:
            md.append(section_prose(c))
        if c.code:
            code = fence(c.code, "c")
            if c is cells[0]:
                code = ("```{=html}\n<details><summary>the includes, the"
                        " chapter's options, charts and exercises</summary>"
                        "\n```\n\n" + code + "\n\n```{=html}\n</details>\n```")
            md.append(code)
        for s in outputs.get(c.k, []) if c.k is not None else []:
            md.extend(section_output(name, s, run, rundir))
    md.append("## The end of the run {#end}\n")
    md.append(fence(run["tail"], "output"))
    if run["exercises"]:
        md.append("## Exercises {#exercises}\n")
        md.extend(exercises_markdown(name, run))
    if labs:
        md.append("## The lab {#lab}\n")
        md.append("Write what this chapter explains yourself: " + ", ".join(
            "[Lab %d: %s](lab/%s.html) (`make lab LAB=%d`)"
            % (number_of(n), t, n, number_of(n)) for n, t in labs) +
            ".  The lab's [contents](index.html#the-lab) list them all.\n")
    md.append(nav(prev, nxt))
    return title, "\n\n".join(md) + "\n"


def labs_after(srcdir, number):
    """[(NAME, title)] of the lab files (SRCDIR/lab/NN-slug.c) whose
    Prerequisites paragraph names chapter NUMBER: "chapter 4", "chapters
    1, 2", "chapters 6 to 8"."""
    out = []
    for path in sorted(glob.glob(os.path.join(srcdir, "lab", "[0-9][0-9]-*.c"))):
        name = os.path.basename(path)[:-2]
        title, opening, _ = parse_source(read(path), name)
        nums = set()
        for m in re.finditer(r"\bchapters?\s+((?:\d+(?:\s*(?:,|and|to)\s*(?=\d))?)+)",
                             prerequisites(opening)):
            for r in re.finditer(r"(\d+)(?:\s*to\s*(\d+))?", m.group(1)):
                a = int(r.group(1))
                nums.update(range(a, int(r.group(2) or a) + 1))
        if number in nums:
            out.append((name, title))
    return out


def pandoc(md, title, srcdir, extra_css="", css="notebook.css",
           template="template.html", to="html5", extra=(), cwd=None):
    """The HTML pandoc makes of md, with the notebook's template (cwd: where
    the files md names are, for --self-contained)."""
    args = [need("pandoc"), "--from", MARKDOWN, "--to", to, "--standalone",
            "--mathml", "--template",
            os.path.join(srcdir, "chapters", "notebook", template),
            "--highlight-style", "tango", "--metadata", "title=" + title,
            "--metadata", "lang=en", "--variable", "pagecss=" + extra_css,
            "--variable", "css=" + css] + list(extra)
    p = subprocess.run(args, input=md, text=True, encoding="utf-8",
                       capture_output=True, cwd=cwd)
    if p.returncode != 0 or p.stderr.strip():
        sys.stderr.write(p.stderr)
        die("pandoc failed on '%s'" % title)
    return p.stdout


def render_charts(charts, rundir, out, srcdir, terms=("svg",)):
    """Render each chart's .gp in rundir to out/NAME.TERM for each term,
    and copy its .dat and .gp to out if out is another folder."""
    gnuplot = need("gnuplot")
    rundir, out = os.path.abspath(rundir), os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    for base in charts:
        if out != rundir:
            for ext in (".dat", ".gp"):
                shutil.copyfile(os.path.join(rundir, base + ext),
                                os.path.join(out, base + ext))
        for term in terms:
            dst = os.path.join(out, base + "." + term)
            tmp = "%s.%d.tmp" % (dst, os.getpid())
            if term in ("png", "pdf"):
                print("  GNUPLOT  %s" % os.path.relpath(dst), flush=True)
            p = subprocess.run(
                [gnuplot, "-e", "set loadpath '%s'" % os.path.join(srcdir, "plots"),
                 "-e", "grl_term='%s'; grl_output='%s'" % (term, tmp),
                 base + ".gp"],
                cwd=rundir, capture_output=True, text=True)
            if p.returncode != 0 or p.stderr.strip():
                sys.stderr.write(p.stderr)
                if os.path.exists(tmp):
                    os.remove(tmp)
                die("gnuplot failed or warned on %s/%s.gp" % (rundir, base))
            os.replace(tmp, dst)


def run_charts(run, rundir):
    """The charts a run committed, each checked to come from that run: a
    chapter run by hand into the same folder with another seed or size
    leaves charts that do not belong to the run's text."""
    charts = [c for s in run["sections"] for c in s.charts]
    seed = re.search(r"^seed (\d+), (quick|default) size", "\n".join(run["head"]),
                     re.M)
    for c in charts:
        dat = os.path.join(rundir, c + ".dat")
        if not os.path.exists(dat):
            die("%s: chart %s has no data file %s" % (run["name"], c, dat))
        head = read(dat)[:4000]
        for key, want in (("seed", seed and seed.group(1)),
                          ("quick", seed and str(int(seed.group(2) == "quick")))):
            m = re.search(r"^# param %s = (\S+)" % key, head, re.M)
            if want and m and m.group(1) != want:
                die("%s is from another run of %s (%s %s, the run's %s): run"
                    " it again (make run-%s, after removing %s)"
                    % (dat, run["name"], key, m.group(1), want,
                       run["name"].split("-")[0],
                       os.path.join(rundir, run["name"] + ".run")))
    return charts


def page_css(head):
    """The printed page's running header."""
    head = head.replace("\\", "\\\\").replace('"', '\\"')
    return "@page { @top-center { content: \"%s\"; } }" % head


def page(srcdir, rundir, out, quick, names):
    name = names[0]
    chapters = names[1:] or [name]
    srcdir, rundir, out = (os.path.abspath(d) for d in (srcdir, rundir, out))
    copy_css(srcdir, out)
    run = read_run(rundir, name)
    charts = run_charts(run, rundir)
    render_charts(charts, rundir, os.path.join(out, "charts"), srcdir)
    src_text = read(os.path.join(srcdir, "chapters", name + ".c"))
    k = chapters.index(name) if name in chapters else 0
    prev = chapters[k - 1] if k > 0 else None
    nxt = chapters[k + 1] if k + 1 < len(chapters) else None
    title, md = weave_page(name, src_text, run, rundir, quick, prev, nxt,
                           labs_after(srcdir, number_of(name)))
    head = "grulab · Chapter %d: %s%s" % (number_of(name), title,
                                          " · " + QUICK_NOTE if quick else "")
    # (a quick page's code is not highlighted: the highlighter takes most
    # of pandoc's time on a page, and a preview is for the prose and runs)
    html = pandoc(md, "Chapter %d: %s" % (number_of(name), title), srcdir,
                  page_css(head), extra=("--no-highlight",) if quick else ())
    write_if_changed(os.path.join(out, name + ".html"), html)
    # What the page's PDF is printed from.
    h = hashlib.sha256(html.encode("utf-8"))
    for f in [os.path.join(out, "notebook.css")] + \
            [os.path.join(out, "charts", c + ".svg") for c in charts]:
        with open(f, "rb") as fh:
            h.update(fh.read())
    os.makedirs(os.path.join(out, ".digest"), exist_ok=True)
    write_if_changed(os.path.join(out, ".digest", name), h.hexdigest() + "\n")


def copy_css(srcdir, out):
    os.makedirs(out, exist_ok=True)
    write_if_changed(os.path.join(out, "notebook.css"),
                     read(os.path.join(srcdir, "chapters", "notebook",
                                       "notebook.css")))


def source_link(name, quick):
    return "src/%s.c" % name + ("" if quick else ".html")


def source_page(srcdir, out, quick, name):
    srcdir, out = os.path.abspath(srcdir), os.path.abspath(out)
    copy_css(srcdir, out)
    os.makedirs(os.path.join(out, "src"), exist_ok=True)
    src_text = read(os.path.join(srcdir, "chapters", name + ".c"))
    write_if_changed(os.path.join(out, "src", name + ".c"), src_text)
    if quick:
        return
    md = ("::: quick\n%s\n:::\n\n" % QUICK_NOTE if quick else "") + \
        ("::: nav\n[← the chapter](../%s.html) · [plain text](%s.c)\n:::\n\n"
         % (name, name)) + fence(src_text.rstrip("\n").split("\n"), "c .numberLines")
    html = pandoc(md, "chapters/%s.c" % name, srcdir,
                  page_css("chapters/%s.c" % name), css="../notebook.css")
    write_if_changed(os.path.join(out, "src", name + ".c.html"), html)


def index(srcdir, out, quick, names, labs=()):
    out = os.path.abspath(out)
    md = []
    if quick:
        md.append("::: quick\n%s\n:::\n" % QUICK_NOTE)
    md.append(read(os.path.join(srcdir, "chapters", "notebook", "index.md")))
    md.append("## The chapters\n")
    for name in names:
        title, opening, _ = parse_source(
            read(os.path.join(srcdir, "chapters", name + ".c")), name)
        md.append("### [Chapter %d: %s](%s.html)\n"
                  % (number_of(name), title, name))
        md.append("::: goals\n%s\n\n%s\n:::\n"
                  % (prerequisites(opening),
                     "\n".join(part(opening, "What you will learn"))))
        links = ["[read it](%s.html)" % name]
        if os.path.exists(os.path.join(out, "pdf", name + ".pdf")):
            links.append("[the page as PDF (A4)](pdf/%s.pdf)" % name)
        links.append("[the source](%s)" % source_link(name, quick))
        md.append(" · ".join(links) + "\n")
    if labs:
        md.append("## The lab\n\nWrite the GRU yourself: each lab file has"
                  " blanks to fill, the equations above them, and a grader"
                  " (`make lab LAB=N`) that names what is wrong.\n")
        for name in labs:
            title, opening, _ = parse_source(
                read(os.path.join(srcdir, "lab", name + ".c")), name)
            md.append("### [Lab %d: %s](lab/%s.html)\n\n%s\n"
                      % (number_of(name), title, name, prerequisites(opening)))
    copy_css(srcdir, out)
    html = pandoc("\n\n".join(md), "grulab: a GRU, step by step", srcdir,
                  page_css("grulab"))
    write_if_changed(os.path.join(out, "index.html"), html)


# ---------------------------------------------------------------------------
# For lecturers: handouts, slides, the answer key
# ---------------------------------------------------------------------------

def plain(text):
    """Text the chapter wrote for a terminal or for gnuplot (a chart's
    title), shown as it is: every ASCII punctuation character
    backslash-escaped, as pandoc's Markdown allows, except gnuplot's
    enhanced-text sub- and superscripts, W_{hh} and x^{k}, which become
    pandoc's W~hh~ and x^k^."""
    esc = lambda t: re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", t)
    out, pos = [], 0
    for m in re.finditer(r"([_^])\{([^{}]+)\}", text):
        mark = "~" if m.group(1) == "_" else "^"
        out.append(esc(text[pos:m.start()]) + mark
                   + esc(m.group(2)).replace(" ", "\\ ") + mark)
        pos = m.end()
    return "".join(out) + esc(text[pos:])


def chart_title(rundir, chart):
    """The title a chart's .dat declares on its first line."""
    with open(os.path.join(rundir, chart + ".dat"), encoding="utf-8") as f:
        first = f.readline()
    return first.split(": ", 1)[1].strip() if ": " in first else chart


def lecture_md(srcdir, rundir, out, name, term="svg"):
    """What handouts and slides share: (title, opening, run, charts as
    (name, title, takeaway)), the charts rendered to OUT/charts/*.svg."""
    title, opening, _ = parse_source(
        read(os.path.join(srcdir, "chapters", name + ".c")), name)
    run = read_run(rundir, name)
    names = run_charts(run, rundir)
    render_charts(names, rundir, os.path.join(out, "charts"), srcdir, [term])
    if term != "svg":
        for c in names:
            os.replace(os.path.join(out, "charts", c + "." + term),
                       os.path.join(out, "charts", c + ".svg"))
    charts = [(c, chart_title(rundir, c),
               run["takeaways"].get(c.split("-", 1)[1], "")) for c in names]
    return title, opening, run, charts


def handout(srcdir, rundir, out, quick, name):
    srcdir, rundir, out = (os.path.abspath(d) for d in (srcdir, rundir, out))
    title, opening, run, charts = lecture_md(srcdir, rundir, out, name,
                                             "svgprint")
    md = []
    if quick:
        md.append("::: quick\n%s\n:::\n" % QUICK_NOTE)
    md.append(prerequisites(opening) + "\n")
    for head in ("What you will learn", "The equations"):
        body = part(opening, head)
        if body:
            md.append("## %s\n\n%s\n" % (head, "\n".join(body)))
    md.append("## The charts\n")
    for c, ctitle, take in charts:
        md.append("![**%s.** %s](charts/%s.svg){.chart}\n"
                  % (plain(ctitle), text_markdown(take) or
                     "(%s declares no takeaway)" % c, c))
    md.append("## Exercises\n")
    md.extend(exercises_markdown(name, run))
    md.append("::: source\nFrom `chapters/%s.c` and its run `chapters/%s%s`"
              " (seed %s); the notebook's page has the code and the whole"
              " output.\n:::\n" % (name, name, " --quick" if quick else "",
                                   run_seed(run)))
    head = "grulab · handout · Chapter %d: %s%s" % (
        number_of(name), title, " · " + QUICK_NOTE if quick else "")
    style = os.path.join(srcdir, "chapters", "notebook")
    html = pandoc("\n\n".join(md), "Chapter %d: %s" % (number_of(name), title),
                  srcdir, page_css(head) + "\n" + read(os.path.join(
                      style, "handout.css")), css=os.path.join(style, "notebook.css"),
                  extra=["--self-contained"], cwd=out)
    write_if_changed(os.path.join(out, name + ".html"), html)


def run_seed(run):
    m = re.search(r"^seed (\d+)", "\n".join(run["head"]), re.M)
    return m.group(1) if m else "?"


def slides(srcdir, rundir, out, quick, name):
    srcdir, rundir, out = (os.path.abspath(d) for d in (srcdir, rundir, out))
    title, opening, run, charts = lecture_md(srcdir, rundir, out, name)
    md = []
    for c, ctitle, take in charts:
        # a long takeaway gets a smaller type, so that it fits its slide
        size = "" if len(take) <= 170 else " .long" if len(take) <= 260 \
            else " .longer"
        md.append("# %s {.chart-slide}\n\n![](charts/%s.svg)\n\n"
                  "::: {.takeaway%s}\n%s\n:::\n"
                  % (plain(ctitle), c, size,
                     text_markdown(take) or "(%s declares no takeaway)" % c))
    md.append("# Where to read on {.end-slide}\n\nThe whole lesson, its"
              " code and its output: the notebook's page `%s.html`; the"
              " exercises: the handout.  The run: `chapters/%s%s`, seed %s.\n"
              % (name, name, " --quick" if quick else "", run_seed(run)))
    # The prerequisites as metadata, so that pandoc reads their Markdown
    # and math (a --variable would be pasted in raw).
    prereq = prerequisites(opening).replace("**Prerequisites:**", "").strip()
    meta = "---\nprerequisites: |\n%s\n---\n" % "\n".join(
        "  " + l for l in prereq.splitlines())
    html = pandoc(meta + "\n" + "\n\n".join(md),
                  "Chapter %d: %s" % (number_of(name), title),
                  srcdir, template="slides.html", cwd=out,
                  extra=["--self-contained", "--section-divs",
                         "--variable", "quick=" + (QUICK_NOTE if quick else "")])
    write_if_changed(os.path.join(out, name + ".html"), html)


def answer_functions(src):
    """The answer function of each exercise, in order (None for an
    exercise without one): the C source that computes the answer."""
    m = re.search(r"(?s)grl_exercise exercises\[\] = \{(.*?)\n\};", src)
    if not m:
        return []
    idents = re.findall(r",\s*(\w+)\s*,\s*[-+.\deE]+\s*(?:,\s*\d+\s*)?\}",
                        m.group(1))
    out = []
    for ident in idents:
        f = re.search(r"(?ms)^static int %s\(.*?^\}$" % re.escape(ident), src) \
            if ident != "NULL" else None
        out.append(f.group(0) if f else None)
    return out


def answers(srcdir, bindir, out_html, names):
    srcdir = os.path.abspath(srcdir)
    md = ["This key is for instructors and is not part of the students'"
          " notebook.  Each answer is computed by its chapter"
          " (`chapters/chNN-slug --solutions` prints them) with the function"
          " shown under it; a student checks a number with"
          " `chapters/chNN-slug --answer K VALUE`, which says right or not"
          " right and never prints the answer.\n"]
    for name in names:
        src = read(os.path.join(srcdir, "chapters", name + ".c"))
        title = parse_source(src, name)[0]
        p = subprocess.run([os.path.join(bindir, name), "--solutions"],
                           env=dict(os.environ, GRULAB_MARKERS="1"),
                           capture_output=True, text=True, encoding="utf-8")
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            die("%s --solutions failed" % name)
        texts, values = {}, {}
        for line in p.stdout.split("\n"):
            if line.startswith(MARK + "exercise "):
                head, body = line[len(MARK) + 9:].split("\t", 1)
                k, tol = head.split()
                texts[int(k)] = (float(tol), body.replace("\\n", "\n"))
            elif line.startswith(MARK + "solution "):
                k, v = line[len(MARK) + 9:].split("\t", 1)
                values[int(k)] = float(v)
        funcs = answer_functions(src)
        md.append("## Chapter %d: %s\n" % (number_of(name), title))
        for k in sorted(texts):
            tol, text = texts[k]
            item = [text_markdown(text.strip("\n")), ""]
            if k in values:
                if tol > 0:
                    item.append("**Answer: %.10g** (`--answer %d` takes it"
                                " within %g%%)." % (values[k], k, tol * 100))
                else:   # a whole number: only it is right
                    item.append("**Answer: %.10g** (`--answer %d` takes this"
                                " whole number only)." % (values[k], k))
                f = funcs[k - 1] if k - 1 < len(funcs) else None
                if f:
                    item += ["", "How the chapter computes it:", "",
                             fence(f.split("\n"), "c")]
            else:
                item.append("**Answer:** no number to compute: a question to"
                            " discuss in class.")
            body = "\n".join(item).split("\n")
            md.append("%-4s%s" % ("%d." % k, body[0]) + "".join(
                "\n" + ("    " + b if b else "") for b in body[1:]))
    html = pandoc("\n\n".join(md), "grulab: the exercises' answers, for"
                  " instructors", srcdir, page_css("grulab · answer key"),
                  css=os.path.join(srcdir, "chapters", "notebook", "notebook.css"),
                  extra=["--self-contained"])
    write_if_changed(out_html, html)


def lab_page(srcdir, out, quick, name, report):
    """OUT/lab/NAME.html: a lab file as its prose and its code, and what the
    grader says of it as it is handed out (REPORT)."""
    srcdir, out = os.path.abspath(srcdir), os.path.abspath(out)
    src = read(os.path.join(srcdir, "lab", name + ".c"))
    title, opening, cells = parse_source(src, name)
    # (no quick-run banner: a lab page holds no run's numbers)
    md = ["::: nav\n[← Contents](../index.html)\n:::\n"]
    md.append("\n".join(opening) + "\n")
    md.append("::: source\nThe file to edit: `lab/%s.c`; grade it with"
              " `make lab LAB=%d`.\n:::\n" % (name, number_of(name)))
    for c in cells:
        if c.prose:
            md.append(section_prose(c))
        if c.code:
            md.append(fence(c.code, "c"))
    if report is not None:
        md.append("## What the grader says of the file as handed out"
                  " {#report}\n")
        md.append(fence(trim(read(report).split("\n")), "output"))
    md.append("::: nav\n[← Contents](../index.html)\n:::\n")
    os.makedirs(os.path.join(out, "lab"), exist_ok=True)
    copy_css(srcdir, out)
    html = pandoc("\n\n".join(md), "Lab %d: %s" % (number_of(name), title),
                  srcdir, page_css("grulab · Lab %d: %s" % (number_of(name), title)),
                  css="../notebook.css")
    write_if_changed(os.path.join(out, "lab", name + ".html"), html)


class DevTools:
    """One headless Chromium, driven over the DevTools protocol on a pipe
    (--remote-debugging-pipe: it reads commands on fd 3 and writes
    answers and events on fd 4, each JSON message ended by a NUL byte)."""

    def __init__(self, argv, timeout=120):
        self.timeout = timeout
        to_chromium, self.w = os.pipe()
        self.r, from_chromium = os.pipe()
        self.err = tempfile.TemporaryFile()

        def fds():          # in the child: the pipes as fds 3 and 4
            a = fcntl.fcntl(to_chromium, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chromium, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.proc = subprocess.Popen(argv + ["--remote-debugging-pipe"],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.err, stderr=self.err,
                                     preexec_fn=fds, close_fds=False)
        os.close(to_chromium)
        os.close(from_chromium)
        self.buf, self.events, self.next_id = b"", [], 0

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise RuntimeError("chromium did not answer in %d s"
                                   % self.timeout)
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its pipe (exit status %s)"
                                   % self.proc.wait())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None):
        """Send one command; its result (events on the way are kept)."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.w, data):]
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_for(self, methods, session):
        """Wait until every event in METHODS has come from SESSION."""
        want = set(methods)
        deadline = time.monotonic() + self.timeout
        while True:
            for m in self.events:
                if m.get("sessionId") == session:
                    want.discard(m["method"])
            self.events = []
            if not want:
                return
            self.events.append(self._read(deadline))

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)


def chromium_argv():
    """The headless Chromium to print with: chromium-headless-shell when it
    is installed (Debian's package of that name: the same Blink without
    the browser around it, which starts in a fifth of the time and prints
    for about a third of the CPU), else chromium --headless.  Debian's
    binary rather than /usr/bin's script, which runs it without exec: the
    process we would end if it hung is then the browser itself."""
    for shell in ("/usr/lib/chromium/chromium-headless-shell",
                  shutil.which("chromium-headless-shell")):
        if shell and os.access(shell, os.X_OK):
            # hinted as chromium hints (fontconfig's default, slight): the
            # shell's own default, full, sets inline maths a little wider,
            # and a line breaks elsewhere
            return [shell, "--font-render-hinting=slight"]
    return [need("chromium"), "--headless"]


# A page has settled once its images (the load event), its fonts and two
# frames are done; the pages have no timers to wait for.
SETTLED = """document.fonts.ready.then(() => new Promise(done =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(true)))))"""


def print_pdfs(pairs):
    """Print each (HTML, PDF) of PAIRS with one headless Chromium, each page
    in a tab of its own, as `chromium --headless --print-to-pdf` would once
    the page has settled (SETTLED): Page.printToPDF with the page's own
    @page size, its backgrounds, and no header or footer."""
    argv = chromium_argv() + [
        "--no-sandbox", "--disable-gpu", "--run-all-compositor-stages-before-draw",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "about:blank"]
    dt = DevTools(argv)
    html_path = None
    try:
        for html_path, pdf_path in pairs:
            os.makedirs(os.path.dirname(os.path.abspath(pdf_path)), exist_ok=True)
            target = dt.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = dt.send("Target.attachToTarget", {"targetId": target,
                                                  "flatten": True})["sessionId"]
            dt.send("Page.enable", session=s)
            dt.events = []
            nav = dt.send("Page.navigate", {
                "url": "file://" + os.path.abspath(html_path)}, session=s)
            if nav.get("errorText"):
                raise RuntimeError(nav["errorText"])
            dt.wait_for(["Page.loadEventFired"], s)
            dt.send("Runtime.evaluate", {"expression": SETTLED,
                                         "awaitPromise": True}, session=s)
            pdf = dt.send("Page.printToPDF", {
                "printBackground": True, "preferCSSPageSize": True,
                "displayHeaderFooter": False}, session=s)["data"]
            tmp = pdf_path + ".tmp.pdf"
            with open(tmp, "wb") as f:
                f.write(base64.b64decode(pdf))
            os.replace(tmp, pdf_path)
            dt.send("Target.closeTarget", {"targetId": target})
        html_path = None
    except (RuntimeError, OSError, ValueError, KeyError) as e:
        dt.close()
        sys.stderr.write(dt.stderr())
        die("chromium could not print %s: %s" % (html_path, e))
    dt.close()


def lab_names(files):
    """"01-gates.c 02-gru-forward.c" -> ["01-gates", "02-gru-forward"]"""
    return [os.path.basename(f)[:-2] if f.endswith(".c") else f
            for f in files.split()]


def main(argv):
    ap = argparse.ArgumentParser(prog="weave.py",
                                 description="the grulab notebook weaver")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run one chapter with its markers")
    r.add_argument("binary")
    r.add_argument("rundir")
    r.add_argument("--quick", action="store_true")
    for cmd in ("charts", "page", "source", "book", "index", "handout",
                "slides", "answers", "lab"):
        b = sub.add_parser(cmd)
        b.add_argument("--srcdir", required=True)
        if cmd in ("charts", "page", "book", "handout", "slides"):
            b.add_argument("--rundir", required=True)
        if cmd == "answers":
            b.add_argument("--bindir", required=True)
        if cmd == "lab":
            b.add_argument("--report")
        if cmd in ("index", "book"):
            b.add_argument("--labs", default="", help="the lab's files")
        b.add_argument("--out", required=True)
        b.add_argument("--quick", action="store_true")
        if cmd == "charts":
            b.add_argument("--term", default="svg")
        b.add_argument("names", nargs="+", metavar="NAME")
    p = sub.add_parser("pdf", help="print pages to PDF")
    p.add_argument("pairs", nargs="+", metavar="HTML PDF")
    t = sub.add_parser("check-tools", help="say which package is missing")
    t.add_argument("--pdf", action="store_true")
    a = ap.parse_args(argv[1:])
    if a.cmd == "check-tools":
        for prog in ["pandoc", "gnuplot"]:
            need(prog)
        if a.pdf:
            chromium_argv()
    elif a.cmd == "run":
        run_chapter(a.binary, a.rundir, a.quick)
    elif a.cmd == "pdf":
        if len(a.pairs) % 2:
            ap.error("pdf: an HTML and a PDF for each page")
        print_pdfs(list(zip(a.pairs[0::2], a.pairs[1::2])))
    else:
        names = [os.path.basename(n) for n in a.names]
        if a.cmd == "charts":
            for n in names:
                render_charts(run_charts(read_run(a.rundir, n), a.rundir),
                              a.rundir, a.out, os.path.abspath(a.srcdir),
                              a.term.split(","))
        elif a.cmd == "page":
            page(a.srcdir, a.rundir, a.out, a.quick, names)
        elif a.cmd == "source":
            for n in names:
                source_page(a.srcdir, a.out, a.quick, n)
        elif a.cmd == "index":
            index(a.srcdir, a.out, a.quick, names, lab_names(a.labs))
        elif a.cmd == "lab":
            for n in names:
                lab_page(a.srcdir, a.out, a.quick, n, a.report)
        elif a.cmd == "handout":
            for n in names:
                handout(a.srcdir, a.rundir, a.out, a.quick, n)
        elif a.cmd == "slides":
            for n in names:
                slides(a.srcdir, a.rundir, a.out, a.quick, n)
        elif a.cmd == "answers":
            answers(a.srcdir, a.bindir, a.out, names)
        else:
            # the pages are independent: one at a time per core
            def chapter(n):
                page(a.srcdir, a.rundir, a.out, a.quick, [n] + names)
                source_page(a.srcdir, a.out, a.quick, n)
            copy_css(os.path.abspath(a.srcdir), os.path.abspath(a.out))
            with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
                jobs = []
                for n in names:
                    print("  WEAVE    %s/%s.html" % (a.out, n), flush=True)
                    jobs.append(pool.submit(chapter, n))
                for n in lab_names(a.labs):
                    jobs.append(pool.submit(lab_page, a.srcdir, a.out, a.quick, n, None))
                for j in jobs:
                    j.result()
            index(a.srcdir, a.out, a.quick, names, lab_names(a.labs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
