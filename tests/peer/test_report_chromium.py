#!/usr/bin/python3
"""test_report_chromium.py - the study report as a browser sees it.

The unit test test_report builds a fake finished study and its report
(GLASSMD_REPORT_KEEP keeps the trees); here headless Chromium opens
report/index.html from a file:// URL with the network off and:
  - --dump-dom: the DOM after parsing holds every figure and table id, and every <img>
    has a data: URI (the page is self-contained);
  - --screenshot: the page renders (a PNG of the expected size that is not blank), kept
    as a test artefact in GLASSMD_TEST_TMP/report-chromium/screenshot.png;
  - the browser's log (--enable-logging=stderr) has no console error and no failed load.
Chromium is a test dependency (tools/deps.sh test). The test_report executable is
GLASSMD_REPORT_FIXTURE_EXE or the sibling of GLASSMD_TRAJ_FIXTURE_EXE (both unit tests are
built into the same folder)."""
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

FIGURES = ["fig-sx", "fig-gr", "fig-g-SS", "fig-g-SiSi", "fig-g-NaNa", "fig-qn-x",
           "fig-meann-x", "fig-angles-Si-S-Si", "fig-s-NaNa", "fig-fsdp-x", "fig-msd-x0.50",
           "fig-arrhenius-D-x0.50", "fig-arrhenius-sigma-x0.50", "fig-D-x", "fig-sigma-x",
           "fig-dratio-x", "fig-snapshot-x0.50"]
TABLES = ["tab-paper", "tab-activation", "tab-dynamics", "tab-structure", "tab-jobs",
          "tab-build"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def fixture_exe():
    exe = os.environ.get("GLASSMD_REPORT_FIXTURE_EXE")
    if not exe and os.environ.get("GLASSMD_TRAJ_FIXTURE_EXE"):
        exe = os.path.join(os.path.dirname(os.environ["GLASSMD_TRAJ_FIXTURE_EXE"]),
                           "test_report")
    if not exe or not os.access(exe, os.X_OK):
        fail("test_report executable not found (set GLASSMD_REPORT_FIXTURE_EXE)")
    return exe


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    fail("chromium is not installed; run tools/deps.sh test")


def browser(exe, profile, extra, url):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
           "--enable-logging=stderr", "--v=0"] + extra + [url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def png_size_and_colours(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("screenshot is not a PNG")
    w, h = struct.unpack(">II", data[16:24])
    return w, h, len(data)


def main():
    tmp = os.path.join(os.environ.get("GLASSMD_TEST_TMP", "/tmp"), "report-chromium")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    env = dict(os.environ, GLASSMD_REPORT_KEEP=os.path.join(tmp, "trees"))
    run = subprocess.run([fixture_exe()], env=env, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        fail("test_report failed:\n" + run.stdout[-3000:] + run.stderr[-3000:])
    page = os.path.join(tmp, "trees", "full", "test.study.out", "report", "index.html")
    if not os.path.isfile(page):
        fail("no report at " + page)
    url = "file://" + page
    exe = chromium()

    dom = browser(exe, os.path.join(tmp, "profile1"), ["--dump-dom"], url)
    if dom.returncode != 0 or "</html>" not in dom.stdout:
        fail("chromium --dump-dom failed: " + dom.stderr[-2000:])
    for ident in FIGURES + TABLES:
        if 'id="%s"' % ident not in dom.stdout:
            fail("the rendered DOM lacks id " + ident)
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]*)"', dom.stdout)
    if len(srcs) < len(FIGURES):
        fail("only %d images in the DOM" % len(srcs))
    bad = [s[:60] for s in srcs if not s.startswith("data:image/png;base64,")]
    if bad:
        fail("images not embedded: %s" % bad)

    shot = os.path.join(tmp, "screenshot.png")
    res = browser(exe, os.path.join(tmp, "profile2"),
                  ["--screenshot=" + shot, "--window-size=1200,3000", "--hide-scrollbars"], url)
    if not os.path.isfile(shot):
        fail("no screenshot: " + res.stderr[-2000:])
    w, h, size = png_size_and_colours(shot)
    if (w, h) != (1200, 3000) or size < 50000:
        fail("screenshot %dx%d, %d bytes: the page did not render" % (w, h, size))
    log = dom.stderr + res.stderr
    errors = [l for l in log.splitlines()
              if re.search(r"CONSOLE.*(error|Error)|Failed to load|net::ERR_", l)
              and "dbus" not in l.lower()]
    if errors:
        fail("browser errors:\n" + "\n".join(errors[:10]))
    print("ok: %d figures, %d images embedded, screenshot %s" % (len(FIGURES), len(srcs), shot))


if __name__ == "__main__":
    main()
