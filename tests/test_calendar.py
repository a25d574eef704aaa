"""The calendar of days, against the State Council's published notices (not the library)."""

import json
from datetime import date, timedelta

import pytest
from conftest import run_planner

from planner.calendar import build_calendar
from planner.errors import PlanError
from planner.loader import load_plan


def _days(start: str, end: str) -> set[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return {first + timedelta(n) for n in range((last - first).days + 1)}


# 国务院办公厅关于2026年部分节假日安排的通知 (published November 2025).
NOTICE_2026_DAYS_OFF = (
    _days("2026-01-01", "2026-01-03") | _days("2026-02-15", "2026-02-23") | _days("2026-04-04", "2026-04-06")
    | _days("2026-05-01", "2026-05-05") | _days("2026-06-19", "2026-06-21") | _days("2026-09-25", "2026-09-27")
    | _days("2026-10-01", "2026-10-07")
)
NOTICE_2026_MAKEUP = {date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                      date(2026, 9, 20), date(2026, 10, 10)}
NOTICE_2025_MAKEUP = {date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
                      date(2025, 10, 11)}


def dates_json(year: int, *extra: str) -> dict:
    result = run_planner("dates", str(year), "--json", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_dates_2026_days_off_and_makeup_workdays_match_the_notice():
    data = dates_json(2026)
    days_off = set()
    for period in data["days_off"]:
        days_off |= _days(period["start"], period["end"])
    assert days_off == NOTICE_2026_DAYS_OFF
    assert {date.fromisoformat(d) for d in data["makeup_workdays"]} == NOTICE_2026_MAKEUP
    assert [p["name"] for p in data["days_off"]] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


def test_dates_2025_makeup_workdays_match_the_notice():
    assert {date.fromisoformat(d) for d in dates_json(2025)["makeup_workdays"]} == NOTICE_2025_MAKEUP


def test_dates_2026_lunar_festivals():
    festivals = {f["name"]: f["date"] for f in dates_json(2026)["lunar_festivals"]}
    assert festivals["春节"] == "2026-02-17"
    assert festivals["元宵节"] == "2026-03-03"
    assert festivals["端午节"] == "2026-06-19"
    assert festivals["七夕节"] == "2026-08-19"
    assert festivals["中秋节"] == "2026-09-25"
    assert festivals["重阳节"] == "2026-10-18"


def test_dates_2026_key_dates_resolve_their_rules():
    keys = {k["id"]: k for k in dates_json(2026, "--national-month", "2026-06-15")["key_dates"]}
    assert keys["dragon_boat"]["date"] == "2026-06-19"
    assert keys["double_ninth"]["date"] == "2026-10-18"
    assert keys["womens_day"]["window"] == ["2026-03-02", "2026-03-08"]  # 7 days up to and including
    assert keys["school_safety_day"]["date"] == "2026-03-30"  # last Monday of March
    assert keys["national_month"]["window"] == ["2026-06-15", "2026-07-14"]
    assert keys["summer_holiday"]["window"] == ["2026-07-01", "2026-08-31"]


def test_dates_table_shows_the_makeup_workdays_and_festivals():
    result = run_planner("dates", "2026")
    assert result.returncode == 0, result.stderr
    for text in ("1月4日（周日）", "2月14日（周六）", "2月28日（周六）", "5月9日（周六）", "9月20日（周日）",
                 "10月10日（周六）", "端午节", "6月19日（周五）", "重阳节", "10月18日（周日）"):
        assert text in result.stdout


def test_dates_for_a_year_without_official_data_says_so():
    result = run_planner("dates", "2030")
    assert result.returncode == 0
    assert "尚未收录2030年的法定节假日安排" in result.stderr
    english = run_planner("dates", "2030", "--lang", "en")
    assert "2030's official days off are not yet in the installed calendar library" in english.stderr
    assert json.loads(run_planner("dates", "2030", "--json").stdout)["official_data"] is False


def campaign(plan_file, body: str):
    text = plan_file().read_text(encoding="utf-8")
    start = text.index("campaign:")
    end = text.index("\n# Everyone who goes out")
    text = text[:start] + body + text[end:]
    if "national_month" not in body:
        text = text.replace("national_month, ", "")
    return plan_file(text)


def test_day_classes_follow_the_official_schedule(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2026-09-14\n  end: 2026-10-18\n")
    cal = build_calendar(load_plan(path).plan)
    sunday_makeup = cal[date(2026, 9, 20)]
    assert sunday_makeup.kind == "makeup_workday"
    assert sunday_makeup.in_class("workdays") and sunday_makeup.in_class("weekends")
    assert not sunday_makeup.in_class("restdays")
    national_day = cal[date(2026, 10, 5)]  # a Monday off
    assert national_day.kind == "holiday" and national_day.in_class("restdays")
    assert not national_day.in_class("weekends") and national_day.in_class("holidays")
    assert cal[date(2026, 10, 17)].kind == "weekend"
    assert cal[date(2026, 10, 18)].festivals == ("重阳节",)
    assert "double_ninth" not in cal[date(2026, 10, 18)].key_dates  # starter uses other key dates


def test_extra_workdays_and_holidays_override_the_official_calendar(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2026-06-01\n  end: 2026-06-30\n"
                               "  extra_workdays: [2026-06-20]\n  extra_holidays: [\"2026-06-08..2026-06-09\"]\n")
    cal = build_calendar(load_plan(path).plan)
    assert cal[date(2026, 6, 20)].kind == "makeup_workday"
    assert cal[date(2026, 6, 8)].kind == "holiday" and cal[date(2026, 6, 9)].in_class("restdays")
    assert cal[date(2026, 6, 19)].kind == "holiday"  # 端午 still off


def test_holidays_none_uses_weekends_only(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2026-06-15\n  end: 2026-06-30\n  holidays: none\n")
    cal = build_calendar(load_plan(path).plan)
    assert cal[date(2026, 6, 19)].kind == "workday"
    assert cal[date(2026, 6, 20)].kind == "weekend"


def test_a_year_without_official_data_is_an_error_naming_the_line(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2027-03-01\n  end: 2027-05-31\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    [problem] = caught.value.problems
    line = path.read_text(encoding="utf-8").splitlines().index("  end: 2027-05-31") + 1
    assert problem.line == line
    assert "extra_holidays" in problem.what and "2027" in problem.what


def test_a_year_without_official_data_is_fine_when_the_plan_supplies_it(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2027-04-01\n  end: 2027-05-31\n"
                               "  extra_holidays: [\"2027-05-01..2027-05-05\", \"2027-04-05\"]\n"
                               "  extra_workdays: [2027-04-25]\n")
    cal = build_calendar(load_plan(path).plan)
    assert cal[date(2027, 5, 3)].kind == "holiday"
    assert cal[date(2027, 4, 25)].kind == "makeup_workday"
    assert cal[date(2027, 5, 6)].kind == "workday"


def test_school_terms_mark_vacation_days(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2026-06-01\n  end: 2026-09-30\n")
    cal = build_calendar(load_plan(path).plan)
    assert cal[date(2026, 6, 10)].in_term
    assert not cal[date(2026, 8, 1)].in_term
    assert cal[date(2026, 9, 1)].in_term


def test_key_date_windows_in_the_campaign(plan_file):
    path = campaign(plan_file, "campaign:\n  name: x\n  start: 2026-06-01\n  end: 2026-08-31\n"
                               "  national_month: {start: 2026-06-15, days: 30}\n")
    cal = build_calendar(load_plan(path).plan)
    windows = {k.id: k.window for k in cal.key_dates}
    assert str(windows["dragon_boat"]) == "2026-06-13..2026-06-19"
    assert str(windows["national_month"]) == "2026-06-15..2026-07-14"
    assert str(windows["census"]) == "2026-07-14..2026-07-20"  # the plan's own key date
    assert "childrens_day" in windows  # its window starts before the campaign but reaches into it
    assert set(cal[date(2026, 6, 19)].key_dates) == {"national_month", "dragon_boat"}


def test_lunar_days_from_the_year_tables_are_what_lunar_python_says_day_by_day():
    # 2023 has a leap second month and 2025 a leap sixth: their text says 闰 once
    from lunar_python import Solar

    from planner.calendar import LUNAR_FESTIVALS, lunar_info

    day = date(2023, 1, 1)
    while day <= date(2025, 12, 31):
        lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
        expected = (lunar.getMonth(), lunar.getDay(), f"{lunar.getMonthInChinese()}月{lunar.getDayInChinese()}",
                    tuple(f for f in lunar.getFestivals() if f in LUNAR_FESTIVALS), lunar.getJieQi() or None)
        assert lunar_info(day) == expected, day
        day += timedelta(days=3)
    assert lunar_info(date(2025, 7, 25))[2] == "闰六月初一"
    assert lunar_info(date(2026, 2, 16))[3] == ("除夕",)
    assert lunar_info(date(2026, 12, 22))[4] == "冬至"
