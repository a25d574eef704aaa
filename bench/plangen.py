"""Synthetic station plans of a given size, for scheduler tests and benchmarks.

Deterministic for a seed. Sizes follow the benchmark: a station (~12 staff, 30 venues,
3 months), a district (~60 staff, 150 venues, 6 months, mostly villages like
examples/litong.yaml), a city (~400 staff in 18 lecture teams, 1,500 venues, 12 months).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

KIND_MIX = [("community", 8), ("village", 4), ("household", 3), ("school", 3), ("enterprise", 3),
            ("business_district", 1), ("market", 2), ("square", 1), ("bank", 1), ("station", 1)]
# a rural district: the proportions of 吴忠 利通区 (examples/litong.yaml), 95 of its 150 venues villages
VILLAGE_MIX = [("village", 31), ("community", 7), ("school", 3), ("market", 2), ("household", 2),
               ("enterprise", 2), ("bank", 1), ("square", 1), ("business_district", 1)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def plan_yaml(*, staff: int = 12, venues: int = 30, months: int = 3, areas: int = 3, teams: int = 0,
              seed: int = 1, start: date = date(2026, 3, 1), time_limit: str = "10s", workers: int = 0,
              tactics: str | None = None, kind_mix: list[tuple[str, int]] = KIND_MIX) -> str:
    rng = random.Random(seed)
    end_month = start.month + months
    end = date(start.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    area_names = [f"片区{i + 1}" for i in range(areas)]
    lines = [
        "version: 1",
        "station: {name: 测试派出所, region: 测试市}",
        "campaign:",
        "  name: 反诈宣传",
        f"  start: {start}",
        f"  end: {end}",
        f"  national_month: {{start: {start.year}-06-15, days: 30}}",
        "staff:",
    ]
    roles = (["police"] * 35 + ["auxiliary"] * 25 + ["grid_worker"] * 30 + ["volunteer"] * 10)
    people = []
    for i in range(staff):
        role = roles[i * 37 % len(roles)] if i >= 4 else ["police", "police", "grid_worker", "auxiliary"][i]
        skills = []
        if role == "police" and (i % 2 == 0 or i < 2):
            skills.append("lecture")
        if i % 5 == 1 or i == 3:
            skills.append("online")
        if role == "volunteer" and i % 2 == 0:
            skills.append("performance")
        if role == "grid_worker":
            skills.append("door_to_door")
        area = area_names[i % areas]
        people.append((f"s{i:03d}", role, skills, area))
        entry: list[str] = [f"  - id: s{i:03d}", f"    name: {_name(rng)}", f"    role: {role}",
                 f"    skills: [{', '.join(skills)}]", f"    area: {area}",
                 f"    max_activities_per_week: {rng.choice([3, 3, 4, 5])}"]
        if teams and role != "volunteer":
            entry.append(f"    team: 宣讲{i % teams + 1}组")
        elif role == "volunteer" and sum(1 for q in people if q[1] == "volunteer") <= 4:
            entry.append("    team: 文艺小分队")
        if rng.random() < 0.3:
            d = start + timedelta(days=rng.randrange(max(1, (end - start).days - 7)))
            entry.append(f'    unavailable: ["{d}..{d + timedelta(days=rng.randrange(2, 8))}"]')
        if role == "police" and rng.random() < 0.5:
            entry.append(f"    duty: {{cycle: [on, off, off, off], start: {start + timedelta(days=rng.randrange(4))}}}")
        lines += entry
    kinds = [k for k, n in kind_mix for _ in range(n)]
    venue_ids = []
    lines.append("venues:")
    for i in range(venues):
        kind = kinds[i % len(kinds)]
        vid = f"v{i:04d}"
        venue_ids.append(vid)
        entry = [f"  - id: {vid}", f"    name: {kind}{i}", f"    kind: {kind}",
                 f"    size: {rng.randrange(300, 6000)}", f"    risk: {rng.choice(['low', 'low', 'medium', 'high'])}",
                 f"    area: {area_names[i % areas]}"]
        if kind == "school":
            entry.append(f'    closed: ["{start.year}-07-11..{start.year}-08-31"]')
        if kind == "market" and i % 2:
            entry.append("    market_days: [1, 4, 7, 11, 14, 17, 21, 24, 27]")
        lines += entry
    # officers claim a venue in their area
    claim_lines = []
    for sid, role, _, area in people:
        if role == "police":
            mine = [v for j, v in enumerate(venue_ids) if area_names[j % areas] == area
                    and kinds[j % len(kinds)] in ("community", "village", "enterprise")]
            if mine:
                claim_lines.append((sid, rng.choice(mine)))
    text = "\n".join(lines)
    for sid, vid in claim_lines:
        text = text.replace(f"  - id: {sid}\n", f"  - id: {sid}\n    claims: [{vid}]\n", 1)
    text += "\nactivities:\n  performance: {duration: 2h, needs: {team: 文艺小分队}}\n"
    text += (tactics if tactics is not None else """tactics:
  five_into: {every_venue: {at_least: 1, per: month}, min_gap_days: 10}
  three_times_three_places:
    - {place: community, days: workdays, time: "17:30-19:30"}
    - {place: [square, business_district], days: restdays, time: "09:30-11:30", per_week: 1}
    - {place: market, days: all, time: "07:00-09:00", per_week: 2}
  six_plus:
    grid_and_police: true
    precision: {high: 2, medium: 1, low: 1}
    lectures: {min_share: 0.2}
    app_promotion: {target_installs: 1000}
    online: {posts_per_week: 3}
  key_dates: {use: all, min_activities: 1}
  all_police: {at_least: 1, per: month}
""")
    text += f"solver: {{time_limit: {time_limit}, workers: {workers}, seed: 1}}\n"
    return text


SIZES = {
    "station": dict(staff=12, venues=30, months=3, areas=3),
    "district": dict(staff=60, venues=150, months=6, areas=6, kind_mix=VILLAGE_MIX),
    "city": dict(staff=400, venues=1500, months=12, areas=18, teams=18, start=date(2026, 1, 1)),
}


def write(path, size: str = "station", **overrides) -> str:
    from pathlib import Path

    text = plan_yaml(**{**SIZES[size], **overrides})
    Path(path).write_text(text, encoding="utf-8")
    return str(path)


__all__ = ["plan_yaml", "write", "SIZES", "KIND_MIX", "VILLAGE_MIX"]
