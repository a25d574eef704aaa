"""Makes the README's screenshots again: `python docs/screenshots.py` (needs tmux and pdftoppm).

- docs/terminal-plan.png: what `planner plan` shows on a real terminal (a tmux pane, captured
  with its colours, drawn with the Noto CJK font the PDF uses);
- docs/plan-page1.png: the first page of the printable plan (plan.pdf).

Both from the Lanzhou example at a 10 s limit, into a scratch folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PLAN = ROOT / "examples" / "lanzhou-guangwumen.yaml"
COLUMNS, ROWS = 110, 60


def terminal_capture(out: Path) -> str:
    """The pane after `planner plan`, with its ANSI colours."""
    session = "planner-shot"
    planner = Path(sys.executable).parent / "planner"
    command = f"{planner} plan {PLAN} -o {out} --time-limit 10s; echo __done__"
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(COLUMNS), "-y", str(ROWS),
                    "-e", "LANG=zh_CN.UTF-8", "bash", "--norc"], check=True)
    try:
        subprocess.run(["tmux", "send-keys", "-t", session, f"clear; {command}", "Enter"], check=True)
        for _ in range(600):
            time.sleep(0.5)
            text = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                  text=True).stdout
            if "__done__\n" in text.replace(" ", "") or text.rstrip().endswith("__done__"):
                break
        return subprocess.run(["tmux", "capture-pane", "-p", "-e", "-S", "-", "-t", session],
                              capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def ansi_to_png(ansi: str, target: Path) -> None:
    """Each character in a cell of its terminal width (CJK two, box lines one), so tables line up
    as on the terminal; WeasyPrint draws it with the fonts the PDF uses, pdftoppm makes the PNG."""
    from html import escape

    from rich.cells import cell_len
    from rich.console import Console
    from rich.terminal_theme import DEFAULT_TERMINAL_THEME
    from rich.text import Text
    from weasyprint import HTML

    lines = [ln for ln in ansi.rstrip().splitlines() if "__done__" not in ln]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and (not lines[-1].strip() or lines[-1].startswith("bash")):  # the prompt after it
        lines.pop()
    console = Console(width=COLUMNS * 2, force_terminal=True, color_system="truecolor")
    rows = []
    for line in lines:
        cells = []
        for segment in Text.from_ansi(line).render(console):
            style = segment.style
            css = []
            if style is not None and style.color is not None:
                css.append(f"color:{style.color.get_truecolor(DEFAULT_TERMINAL_THEME).hex}")
            if style is not None and style.bold:
                css.append("font-weight:bold")
            for ch in segment.text:
                width = cell_len(ch)
                cells.append(f'<span class="c{width}" style="{";".join(css)}">{escape(ch)}</span>')
        rows.append("<div>" + "".join(cells) + "</div>")
    page = (f"<html><head><style>@page {{ size: {COLUMNS * 0.6 + 2:.1f}em {len(rows) * 1.3 + 2.5:.1f}em; margin: 1em }}"
            " body { font: 10pt/1.3 'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', monospace; color: #222 }"
            " div { white-space: pre; height: 1.3em }"
            " span { display: inline-block; overflow: visible } .c1 { width: 0.6em } .c2 { width: 1.2em }"
            f"</style></head><body>{''.join(rows)}</body></html>")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "terminal.pdf"
        HTML(string=page).write_pdf(pdf)
        pdf_to_png(pdf, target, width=1400)


def pdf_to_png(pdf: Path, target: Path, *, width: int) -> None:
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(width),
                    "-scale-to-y", "-1", str(pdf), str(stem)], check=True)


def main() -> None:
    for tool in ("tmux", "pdftoppm"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lanzhou"
        ansi = terminal_capture(out)
        (DOCS / "terminal-plan.txt").write_text(ansi, encoding="utf-8")
        ansi_to_png(ansi, DOCS / "terminal-plan.png")
        pdf_to_png(out / "plan.pdf", DOCS / "plan-page1.png", width=1200)
    print("wrote docs/terminal-plan.png, docs/terminal-plan.txt, docs/plan-page1.png")


if __name__ == "__main__":
    main()
