"""The venue kinds and audiences stations have beyond the 五进 (issue 17): each can be planned
in its windows, written by its Chinese name, and shown by its name."""

from __future__ import annotations

from rules import load, verify_rule

from planner import messages
from planner.catalogue import catalogue
from planner.tactics.base import kind_words

BODY = """staff:
  - {id: a1, name: 辅一, role: auxiliary}
  - {id: g1, name: 格一, role: grid_worker}
  - {id: v1, name: 志一, role: volunteer, skills: [lecture]}
venues:
  - {id: uni, name: 宁夏大学, kind: 高校, size: 9000}
  - {id: gov, name: 区政府, kind: 机关, size: 300}
  - {id: hos, name: 人民医院, kind: 医院, size: 2000}
  - {id: tea, name: 早茶馆, kind: 早茶店, audiences: [居民, 游客], size: 400}
"""


def test_each_new_kind_has_activities_in_its_windows():
    ok = [("uni", "lecture", "2026-06-01 11:30", ["v1"]),      # a Monday in term, at lunch
          ("gov", "lecture", "2026-06-02 09:00", ["v1"]),      # office hours
          ("hos", "stall", "2026-06-03 08:00", ["a1", "g1"]),  # outpatient hours
          ("tea", "stall", "2026-06-06 07:00", ["a1", "g1"])]  # 早茶 on a Saturday
    assert verify_rule(BODY, [], ok).feasible


def test_outside_the_windows_there_is_nothing():
    for wrong in [("gov", "lecture", "2026-06-06 09:00", ["v1"]),   # a Saturday: the office is shut
                  ("tea", "stall", "2026-06-06 15:00", ["a1", "g1"])]:
        try:
            verify_rule(BODY, [], [wrong])
        except LookupError:
            continue
        raise AssertionError(f"{wrong} should be no candidate")


def test_chinese_names_are_read_as_ids_and_shown_again():
    plan = load(BODY).plan
    assert [v.kind for v in plan.venues] == ["university", "office", "hospital", "hospitality"]
    assert plan.venues[3].audiences == ["residents", "tourists"]
    zh, en = messages.for_language("zh"), messages.for_language("en")
    assert [kind_words(zh, v.kind) for v in plan.venues] == ["高校", "机关", "医院", "宾馆饭店"]
    assert kind_words(en, "hospitality") == "hotel or restaurant"
    audiences = catalogue().audiences
    assert {a: audiences[a].zh for a in ("examinees", "left_behind_children", "tourists")} == {
        "examinees": "考生", "left_behind_children": "留守儿童", "tourists": "游客"}
