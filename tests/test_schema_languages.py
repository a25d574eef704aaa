"""Every description `planner schema` publishes speaks both languages (issue 16.1).

An editor (yaml-language-server) shows a key's description on hover: a publicity officer who
reads no English needs the Chinese, the English reader keeps the English. The form is
"中文说明 / English description": the Chinese first, one " / " (a model's docstring may break
the line there), then the English.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from chinese import english_sentences

from planner.model import Plan
from planner.planfile import plan_json_schema

_SEPARATOR = re.compile(r"\s/\s")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _descriptions(schema: Any, where: str = "#") -> list[tuple[str, str]]:
    """(JSON pointer, text) of every description in a schema, however deep."""
    found: list[tuple[str, str]] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "description" and isinstance(value, str):
                found.append((where, value))
            else:
                found += _descriptions(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for n, value in enumerate(schema):
            found += _descriptions(value, f"{where}/{n}")
    return found


def _not_bilingual(text: str) -> str | None:
    """Why `text` is not "中文 / English", or None when it is."""
    halves = _SEPARATOR.split(text)
    if len(halves) != 2:
        return f"{len(halves) - 1} ' / ' separators, not one"
    chinese, english = halves
    # the Chinese half says something of its own, not only the Chinese terms the English quotes
    if not set(_CJK.findall(chinese)) - set(_CJK.findall(english)):
        return "no Chinese before ' / '"
    if english_sentences(chinese):
        return f"English in the Chinese half: {english_sentences(chinese)}"
    # the English half has words of its own, not only the ids and names the Chinese quotes
    if not set(_WORD.findall(english)) - set(_WORD.findall(chinese)):
        return "no English after ' / '"
    return None


SCHEMAS = {
    "plan": lambda: Plan.model_json_schema(mode="validation"),  # `planner schema`
    "plan-json": plan_json_schema,  # `planner schema --of plan-json`
}


@pytest.mark.parametrize("of", SCHEMAS)
def test_every_description_of_the_published_schema_is_chinese_then_english(of):
    descriptions = _descriptions(SCHEMAS[of]())
    assert len(descriptions) >= (79 if of == "plan" else 3)  # the walk finds them: no vacuous pass
    wrong = [f"{where}: {why}: {text!r}" for where, text in descriptions if (why := _not_bilingual(text))]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("text", [
    "五进; false or absent switches it off",  # English that quotes Chinese terms
    "inclusive",
    "无诈社区 / 无诈校园 / 无诈单位: what a venue of these kinds needs",  # ' / ' inside the English
    "覆盖人数",  # Chinese only
    "覆盖人数 / 服务人数",
    "people reached / 覆盖人数",  # the wrong way round
    "五进 / 五进; false or absent switches it off",  # the Chinese half only repeats the English's term
    "people reached 覆盖人数 / people reached",  # English left in the Chinese half
    "国家反诈中心 App 安装数 / App",  # the English half only repeats the Chinese's word
])
def test_the_check_refuses_a_description_in_one_language(text):
    assert _not_bilingual(text) is not None


@pytest.mark.parametrize("text", [
    "覆盖人数 / people reached",
    "五进；填 false 或不写即关闭 / 五进; false or absent switches it off",
    "0 = 使用全部 CPU 核心 / 0 = all cores",
    "值班轮转：从 `start` 起循环。 /\nA rota: the cycle repeats from `start`.",
])
def test_the_check_accepts_chinese_then_english(text):
    assert _not_bilingual(text) is None
