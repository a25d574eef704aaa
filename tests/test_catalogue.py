"""The built-in catalogue is consistent: every id it uses is defined."""

from planner.catalogue import catalogue
from planner.model import Plan, Tactics
from planner.vocab import FIVE_INTO_KINDS, VENUE_KINDS


def test_every_venue_kind_is_described_and_five_into_is_the_classic_five():
    cat = catalogue()
    assert set(cat.venue_kinds) == set(VENUE_KINDS)
    assert {k for k, v in cat.venue_kinds.items() if v.five_into} == set(FIVE_INTO_KINDS)


def test_contract_audiences_and_fraud_types_are_in_the_catalogue():
    cat = catalogue()
    assert set(cat.audiences) >= {"residents", "families", "elderly", "women", "children", "parents", "students",
                                  "graduates", "migrant_workers", "shoppers", "singles", "business_owners",
                                  "finance_staff", "employees", "villagers"}
    assert set(cat.fraud_types) >= {"order_brushing", "fake_investment", "fake_shopping", "fake_customer_service",
                                    "fake_loan", "fake_credit_repair", "impersonate_boss", "impersonate_police",
                                    "romance", "game_trading", "elderly_care"}


def test_references_inside_the_catalogue_resolve():
    cat = catalogue()
    for fraud in cat.fraud_types.values():
        assert set(fraud.audiences) <= set(cat.audiences)
        assert fraud.talking_points["zh"] and fraud.talking_points["en"]
    for kind in cat.venue_kinds.values():
        assert set(kind.default_audiences) <= set(cat.audiences)
    for fmt in cat.formats.values():
        assert set(fmt.materials) <= set(cat.materials)
    for window in cat.windows.values():
        assert set(window.formats) <= set(cat.formats)
    for key in cat.key_dates.values():
        assert key.audiences == "all" or set(key.audiences) <= set(cat.audiences)
        assert key.themes == "any" or set(key.themes) <= set(cat.fraud_types)


def test_every_format_can_be_held_somewhere():
    cat = catalogue()
    for name, fmt in cat.formats.items():
        windows = [w for w in cat.windows.values() if name in w.formats]
        assert windows, name
        for kind in fmt.kinds:
            assert any(kind in w.kinds for w in windows), (name, kind)
        assert all(t.minutes * 60 >= fmt.duration.total_seconds() for w in windows for t in w.times), name


def test_contract_key_dates_are_in_the_catalogue():
    assert set(catalogue().key_dates) >= {"womens_day", "childrens_day", "dragon_boat", "school_start",
                                          "double_ninth", "national_month"}


def test_defaults_come_from_the_catalogue():
    defaults = catalogue().defaults
    plan = Plan.model_validate({
        "station": {"name": "x"}, "campaign": {"name": "c", "start": "2026-06-01", "end": "2026-06-30"},
        "staff": [{"id": "a", "name": "A", "role": "police"}],
        "venues": [{"id": "v", "name": "V", "kind": "community"}],
        "tactics": {"five_into": {}, "six_plus": {}, "key_dates": {}},
    })
    assert plan.tactics.five_into.min_gap_days == defaults["tactics"]["five_into"]["min_gap_days"]
    assert plan.tactics.key_dates.lead_days == defaults["tactics"]["key_dates"]["lead_days"]
    assert plan.tactics.six_plus.precision.high == defaults["tactics"]["six_plus"]["precision"]["high"]
    assert plan.weights.coverage == defaults["weights"]["coverage"]
    assert plan.station.timezone == defaults["station"]["timezone"]
    assert plan.tactics.three_times_three_places is None  # absent tactics are off
    assert Tactics.model_validate({"five_into": False}).five_into is None
