"""Phone-width pictures of a report's summary and of a week's roster, rendered with real tools.

A card (`planner.export.report_html`, 375 CSS px wide) becomes one PNG twice as wide, 750
pixels, as a phone shows it and as WeChat work groups pass pictures around, as long as its
content:

- with WeasyPrint and poppler (the printable plan's PDF tools): the card is laid out once on
  a very tall page to find where its content ends (the `#end` anchor), laid out again on a
  page exactly that tall, and the one-page PDF rasterised by `pdftoppm` at 192 dpi;
- else with headless Chromium: the page's height is read from the DOM Chromium builds
  (`--dump-dom`), then Chromium screenshots a window that size at a device scale of 2.

The Chinese text needs a CJK font (Debian's fonts-noto-cjk). `CardUnavailable` says, in one
line, what to install when neither way works here.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from planner import atomic
from planner.messages import N_, _

__all__ = ["CardUnavailable", "card_png", "png_size", "available", "unavailable_reason", "chromium"]

SCALE = 2  # pixels per CSS px: a 375 px card is a 750-pixel picture
TALL = 30000  # CSS px: the page a card is first laid out on, to measure it
TIMEOUT = 120
HOW_TO = N_("for the PNG install WeasyPrint (pip install 'fanzha-planner[pdf]') and Debian's poppler-utils, "
            "or Chromium; with Debian's fonts-noto-cjk for the Chinese text")


class CardUnavailable(RuntimeError):
    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        super().__init__(f"{_(HOW_TO)}{f' ({reason})' if reason else ''}")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def unavailable_reason() -> str | None:
    """None when `card_png` can work here, else one line saying what to install."""
    from planner.export.pdf import unavailable_reason as pdf_reason

    if shutil.which("pdftoppm") and pdf_reason() is None:
        return None
    if chromium():
        return None
    return str(CardUnavailable(pdf_reason() or "pdftoppm is not installed (Debian: poppler-utils)"))


def available() -> bool:
    return unavailable_reason() is None


def card_png(html: str, path: Path | str, *, width: int = 375, engine: str | None = None) -> Path:
    """Render a card's HTML to `path` (a PNG `width` × SCALE pixels wide), atomically.

    `engine`: "weasyprint" or "chromium" (default: WeasyPrint where it and pdftoppm are
    installed, else Chromium). Raises CardUnavailable when neither can render here."""
    from planner.export.pdf import unavailable_reason as pdf_reason

    path = Path(path)
    if engine is None:
        engine = "weasyprint" if shutil.which("pdftoppm") and pdf_reason() is None else "chromium"
    with tempfile.TemporaryDirectory(prefix="planner-card-") as folder:
        work = Path(folder)
        if engine == "weasyprint":
            picture = _weasyprint_png(html, work, width)
        elif engine == "chromium":
            picture = _chromium_png(html, work, width)
        else:
            raise ValueError(f"unknown engine {engine!r}")
        atomic.write_bytes(path, picture.read_bytes())
    return path


def _weasyprint_png(html: str, work: Path, width: int) -> Path:
    from planner.export.pdf import PdfUnavailable, _weasyprint, cjk_font_installed

    try:
        weasyprint = _weasyprint()
    except PdfUnavailable as e:
        raise CardUnavailable(e.reason) from None
    if cjk_font_installed() is False and re.search(r"[\u3400-\u9fff]", html):
        raise CardUnavailable("no Chinese font is installed: Debian's fonts-noto-cjk")
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise CardUnavailable("pdftoppm is not installed (Debian: poppler-utils)")
    import logging

    from planner.export.templating import folder

    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        def layout(height: float):
            page = weasyprint.CSS(string=f"@page {{ size: {width}px {height}px; margin: 0 }}")
            return weasyprint.HTML(string=html, base_url=str(folder("plan"))).render(stylesheets=[page])

        measured = layout(TALL)
        end = None
        for n, page in enumerate(measured.pages):
            if "end" in page.anchors:
                end = n * TALL + page.anchors["end"][1]
        height = math.ceil(end if end is not None else TALL * len(measured.pages))
        pdf = work / "card.pdf"
        crop: list[str] = []
        if len(measured.pages) == 1:
            # one tall page: rasterise its top rather than lay the card out again (half the time)
            measured.write_pdf(pdf)
            crop = ["-x", "0", "-y", "0", "-W", str(width * SCALE), "-H", str(max(height, 100) * SCALE)]
        else:
            layout(max(height, 100)).write_pdf(pdf)
    except OSError as e:
        raise CardUnavailable(f"WeasyPrint failed: {e}") from None
    finally:
        log.setLevel(level)
    done = subprocess.run([pdftoppm, "-png", "-r", str(96 * SCALE), "-singlefile", "-f", "1", "-l", "1", *crop,
                           str(pdf), str(work / "card")], capture_output=True, text=True, timeout=TIMEOUT)
    picture = work / "card.png"
    if done.returncode != 0 or not picture.is_file():
        raise CardUnavailable(f"pdftoppm failed: {done.stderr.strip()[:200]}")
    return picture


_MEASURE = ("<script>document.documentElement.setAttribute('data-card-height', "
            "Math.ceil(document.documentElement.getBoundingClientRect().height));</script>")


def _chromium_png(html: str, work: Path, width: int) -> Path:
    browser = chromium()
    if browser is None:
        raise CardUnavailable("Chromium is not installed")
    page = work / "card.html"
    page.write_text(html.replace("</body>", _MEASURE + "</body>", 1) if "</body>" in html else html + _MEASURE,
                    encoding="utf-8")
    profile = work / "profile"
    profile.mkdir()
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
              f"--user-data-dir={profile}", "--allow-file-access-from-files"]
    env = {**os.environ, "HOME": str(work)}

    def run(*args: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run([*common, *args], capture_output=True, text=True, timeout=TIMEOUT, env=env)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise CardUnavailable(f"Chromium failed: {e}") from None

    done = run(f"--window-size={width},2000", "--dump-dom", page.as_uri())
    m = re.search(r'data-card-height="(\d+)"', done.stdout)
    height = int(m.group(1)) if m else 4000
    picture = work / "card.png"
    done = run(f"--window-size={width},{max(height, 100)}", f"--force-device-scale-factor={SCALE}",
               f"--screenshot={picture}", page.as_uri())
    if not picture.is_file():
        raise CardUnavailable(f"Chromium wrote no screenshot: {(done.stderr or '').strip()[-200:]}")
    return picture


def png_size(path: Path | str) -> tuple[int, int]:
    """(width, height) of a PNG, from its header."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
