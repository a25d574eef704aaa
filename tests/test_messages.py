"""The message catalogue: every word the code and templates show has its Chinese, and the
Chinese outputs say what they said before the catalogue."""

import io
import re
from pathlib import Path

import jinja2.ext
import openpyxl
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from planner import messages
from planner.export.html import render_html
from planner.export.view import build_view, read_plan_json
from planner.export.xlsx import workbook_bytes
from planner.loader import load_plan

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "planner"
PO = PACKAGE / messages.PO_FILE
#: the markers the code uses, as Babel's extractor is told them (README, Development)
KEYWORDS = {"_": None, "_p": ((1, "c"), 2), "_n": (1, 2), "N_": None, "NP_": ((1, "c"), 2),
            "gettext": None, "pgettext": ((1, "c"), 2), "ngettext": (1, 2)}


def _used() -> dict[tuple[str | None, str], str]:
    """(context, msgid) → where, for every msgid in planner/*.py and the templates."""
    found: dict[tuple[str | None, str], str] = {}
    for name, line, message, _comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS):
        ids = message if isinstance(message, tuple) else (message,)
        found.setdefault((context, ids[0]), f"planner/{name}:{line}")
    for template in sorted((PACKAGE / "templates").glob("*/*.j2")):
        with template.open("rb") as f:
            for line, function, message, _comments in jinja2.ext.babel_extract(
                    f, tuple(KEYWORDS), [], {"trim_blocks": "true", "lstrip_blocks": "true"}):
                context, msgid = (message if function == "pgettext"  # (context, msgid)
                                  else (None, message[0]) if isinstance(message, tuple) else (None, message))
                found.setdefault((context, msgid), f"{template.relative_to(ROOT)}:{line}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_CN")


def test_every_word_in_the_code_and_templates_has_its_chinese(catalogue):
    used = _used()
    assert len(used) > 150  # the extraction saw the tables and the templates, not nothing
    missing = [f"{where}: {msgid!r}" + (f" (context {context!r})" if context else "")
               for (context, msgid), where in sorted(used.items(), key=lambda kv: kv[1])
               if not (entry := catalogue.get(msgid, context=context)) or not entry.string
               or not (entry.string[0] if isinstance(entry.string, tuple) else entry.string)]
    assert not missing, "no Chinese in planner.po for:\n" + "\n".join(missing)


def test_the_catalogue_holds_no_word_the_code_no_longer_uses(catalogue):
    used = set(_used())
    stale = [f"{m.id!r} (context {m.context!r})" for m in catalogue
             if m.id and (m.context, m.id if isinstance(m.id, str) else m.id[0]) not in used]
    assert not stale, "unused in planner.po:\n" + "\n".join(stale)


def test_chinese_is_the_catalogue_and_english_the_msgids():
    zh, en = messages.for_language("zh"), messages.for_language("en")
    assert (zh._("Held?"), en._("Held?")) == ("开展情况", "Held?")
    assert zh._p("plan: materials", "Materials") == "物料" and zh._("Materials") == "物料清单"
    assert messages.for_language(None).language == "zh"  # Chinese first
    assert messages.every_language(messages.N_("online")) == {"zh": "线上", "en": "online"}
    with messages.using("en"):
        assert messages._("Roster") == "Roster"
    with messages.using("zh"):
        assert messages._("Roster") == "排班表"


def _view(language: str):
    loaded = load_plan(ROOT / "tests" / "data" / "contract-example.yaml")
    loaded.plan.campaign.language = language
    return build_view(loaded, read_plan_json(ROOT / "tests" / "data" / "sample-plan.json"))


def test_the_chinese_workbook_keeps_its_headers():
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(_view("zh"))[0]))
    assert book.sheetnames[:3] == ["排班表", "台账", "物料清单"]
    header = [c.value for c in next(book["台账"].iter_rows(max_row=1))]
    assert header == ["日期", "星期", "开始", "结束", "场所", "场所类型", "形式", "宣传主题", "关键节点",
                      "宣传对象", "人员", "协办单位", "预计覆盖人数", "实际覆盖人数", "宣传单\n（份）",
                      "宣传册\n（份）", "海报\n（份）", "致居民的一封信\n（份）", "宣传品\n（份）", "App安装数",
                      "入户户数", "照片\n（张数或文件名）", "开展情况", "备注", "活动编号"]
    assert book["台账"]["B2"].value == "周三"
    english = openpyxl.load_workbook(io.BytesIO(workbook_bytes(_view("en"))[0]))
    assert [c.value for c in next(english["Ledger"].iter_rows(max_row=1))][:4] == ["Date", "Day", "Start", "End"]


def test_the_chinese_printable_plan_keeps_its_headings():
    headings = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", render_html(_view("zh")))
    assert headings[:2] == [
        "按场所类型（五进）",
        '<span class="h-kicker">第一部分 · 月历排期</span>2026年6月'
        '<span class="h-aside">本月活动 4 · 摊点 2 · 线上 1 · 讲座 1</span>']
    assert '<span class="h-kicker">第二部分</span>五进覆盖' in headings


def test_the_language_asked_for_wins_over_the_plans_and_the_systems(monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert messages.system_language() == "en"
    with messages.told(None):
        assert messages.current() == "en" and messages.chosen("zh") == "zh"
    with messages.told("zh"):
        assert messages.current() == "zh" and messages.chosen("en") == "zh"
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert messages.system_language() == "zh"
    monkeypatch.delenv("LANG")
    monkeypatch.delenv("LC_ALL")
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    assert messages.system_language() == "zh"  # Chinese first


def test_each_word_is_in_the_catalogue_once():
    """Branches add words as a git union merge: the same msgid twice would let one Chinese
    silently win over the other."""
    keys: list[tuple[str | None, str]] = []
    context: str | None = None
    field = None  # the field a "continuation" line belongs to
    for line in PO.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgctxt "):
            context, field = line[len("msgctxt "):], "ctx"
        elif line.startswith("msgid "):
            keys.append((context, line[len("msgid "):]))
            context, field = None, "id"
        elif line.startswith('"') and field == "id":
            keys[-1] = (keys[-1][0], keys[-1][1] + line)
        elif line.startswith('"') and field == "ctx":
            context = (context or "") + line
        else:
            field = None
    twice = sorted({k for k in keys if keys.count(k) > 1 and k[1] != '""'}, key=str)
    assert not twice, "twice in planner.po: " + ", ".join(map(str, twice))
