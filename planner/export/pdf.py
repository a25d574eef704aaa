"""The printable plan as PDF, through WeasyPrint, with a CJK font embedded.

WeasyPrint is an optional dependency (`pip install 'fanzha-planner[pdf]'`) that needs Pango
from the system. Where it or its libraries are missing, `write_pdf` raises `PdfUnavailable`
whose message is one line telling how to get the PDF; `planner plan` prints that line and
still writes plan.html, which any browser prints.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner import atomic
from planner.messages import N_, _

if TYPE_CHECKING:
    from planner.export.view import PlanView

#: The Debian packages WeasyPrint needs for a Chinese plan (Pango, HarfBuzz subsetting, the font).
DEBIAN_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk")
HOW_TO = N_("for plan.pdf install WeasyPrint: pip install 'fanzha-planner[pdf]' and Debian's {packages} "
            "(or print plan.html from a browser)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class PdfUnavailable(RuntimeError):
    """PDF rendering is not installed here; str(error) is one line saying how to install it."""

    def __init__(self, reason: str = "") -> None:
        self.reason = reason
        how = _(HOW_TO).format(packages=" ".join(DEBIAN_PACKAGES))  # said in the language the command speaks
        super().__init__(f"{how}{f' ({reason})' if reason else ''}")


def _weasyprint() -> Any:
    """Import WeasyPrint, turning every way it can be missing into PdfUnavailable."""
    try:
        import weasyprint  # noqa: PLC0415 - optional, and slow to import
    except ImportError as e:
        raise PdfUnavailable(f"WeasyPrint is not installed: {e}") from None
    except OSError as e:  # cffi could not load libpango, libgobject, libharfbuzz, …
        raise PdfUnavailable(f"a library WeasyPrint needs is missing: {_first_line(e)}") from None
    except Exception as e:  # noqa: BLE001 - a broken install fails in many ways; say which, in one line
        raise PdfUnavailable(f"WeasyPrint does not load: {type(e).__name__}: {_first_line(e)}") from None
    return weasyprint


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def cjk_font_installed() -> bool | None:
    """Whether fontconfig knows a font for Chinese; None when fc-list is not there to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip())


def unavailable_reason() -> str | None:
    """None when write_pdf can work here, else the one line saying how to get the PDF."""
    try:
        _weasyprint()
    except PdfUnavailable as e:
        return str(e)
    return None


def available() -> bool:
    """True when write_pdf can work here (WeasyPrint and its libraries load)."""
    return unavailable_reason() is None


def pdf_bytes(source: str | PlanView) -> bytes:
    """The printable plan as PDF bytes, from its HTML text or from a PlanView."""
    if isinstance(source, str):
        html_text = source
    else:
        from planner.export.html import render_html

        html_text = render_html(source)
    weasyprint = _weasyprint()
    if _CJK.search(html_text) and cjk_font_installed() is False:
        raise PdfUnavailable("no Chinese font is installed: Debian's fonts-noto-cjk")
    from planner.export.templating import folder

    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)  # CSS it ignores (screen rules) is not the user's business
    try:
        document = weasyprint.HTML(string=html_text, base_url=str(folder("plan")))
        return document.write_pdf()
    except OSError as e:  # a library that loads lazily (HarfBuzz subsetting) may only fail here
        raise PdfUnavailable(f"a library WeasyPrint needs is missing: {_first_line(e)}") from None
    finally:
        log.setLevel(level)


def write_pdf(source: str | PlanView, path: Path | str) -> None:
    """Write the printable plan as PDF; raise PdfUnavailable (one line: how to install) if it can't."""
    atomic.write_bytes(path, pdf_bytes(source))


UNAVAILABLE_EXIT = 3  # the child's exit status when WeasyPrint or the font is missing


class PdfJob:
    """A PDF rendered by a child process while this one writes the other outputs: WeasyPrint
    is single-threaded and takes most of the outputs' time (a plan of 1,000 activities: about
    20 s, against 3 s for the calendars and the workbook), so on two cores the PDF costs the
    command only the time it takes beyond the rest. `wait()` returns when the file is written
    (atomically, by the child) or raises PdfUnavailable like write_pdf."""

    def __init__(self, html_path: Path | str, pdf_path: Path | str) -> None:
        self.path = Path(pdf_path)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "planner.export.pdf", str(html_path), str(pdf_path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", errors="replace")

    def wait(self) -> Path:
        _out, err = self.process.communicate()
        if self.process.returncode == 0:
            return self.path
        lines = [line for line in (err or "").strip().splitlines() if line.strip()]
        if self.process.returncode == UNAVAILABLE_EXIT:
            raise PdfUnavailable(lines[-1] if lines else "")
        raise RuntimeError(f"{self.path.name}: WeasyPrint failed (exit {self.process.returncode}): "
                           f"{lines[-1] if lines else ''}")

    def stop(self) -> None:
        """End the child if it still runs (the command failed or was interrupted meanwhile)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _child(argv: list[str]) -> int:
    """`python -m planner.export.pdf HTML PDF`: the PdfJob's side."""
    html_path, pdf_path = argv
    try:
        write_pdf(Path(html_path).read_text(encoding="utf-8"), pdf_path)
    except PdfUnavailable as e:
        print(e.reason, file=sys.stderr)
        return UNAVAILABLE_EXIT
    return 0


@dataclass
class Printable:
    html: Path
    pdf: Path | None
    note: str | None  # one line for the user when the PDF was not written


def write_printable(view: PlanView, folder: Path | str) -> Printable:
    """plan.html, and plan.pdf where WeasyPrint is installed: what `planner plan` writes."""
    from planner.export.html import render_html

    folder = Path(folder)
    text = render_html(view)
    html_path = folder / "plan.html"
    atomic.write_text(html_path, text)
    try:
        write_pdf(text, folder / "plan.pdf")
    except PdfUnavailable as e:
        return Printable(html_path, None, f"plan.pdf not written: {e}")
    return Printable(html_path, folder / "plan.pdf", None)


__all__ = ["PdfUnavailable", "PdfJob", "write_pdf", "pdf_bytes", "write_printable", "available", "unavailable_reason",
           "HOW_TO", "DEBIAN_PACKAGES"]


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
