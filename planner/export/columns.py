"""The workbook's column keys and their words: what plan.xlsx writes and the ledger reader
(planner.export.ledger) reads back, kept apart from both so neither imports the other."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from planner.messages import N_, Msg

__all__ = ["L", "HANDOUTS", "MATERIAL_KEYS", "UNKNOWN_KEY", "MAX_CELL", "cell_text"]

# In the pre-filled values of an activity: the columns whose planned value is not known (the
# venue of a withdrawn activity that the plan no longer has), which an earlier ledger's cells
# cannot contradict.
UNKNOWN_KEY = "_unknown"

L: dict[str, Msg] = {
    "roster": N_("Roster"),
    "ledger": N_("Ledger"),
    "date": N_("Date"),
    "weekday": N_("Day"),
    "start": N_("Start"),
    "end": N_("End"),
    "venue": N_("Venue"),
    "kind": N_("Venue kind"),
    "format": N_("Format"),
    "staff": N_("Staff"),
    "with": N_("With"),
    "theme": N_("Theme"),
    "key_date": N_("Key date"),
    "audience": N_("Audience"),
    "reach": N_("Expected reach"),
    "materials": N_("Materials to bring"),
    "address": N_("Address"),
    "id": N_("Activity id"),
    "partners": N_("Partners"),
    "reached": N_("People reached"),
    "installs": N_("App installs"),
    "households": N_("Households visited"),
    "photos": N_("Photos (count or file names)"),
    "status": N_("Held?"),
    "notes": N_("Notes"),
    "total": N_("Total"),
    "nothing": N_("(nothing planned)"),
    "page": N_("Page &P of &N"),
    "whole": N_("Enter a whole number, 0 or more"),
    "whole_title": N_("Count"),
    "status_title": N_("Held?"),
    "status_error": N_("Choose from the list"),
    # carried over from an earlier plan.xlsx (planner.export.ledger)
    "cancelled_sheet": N_("Cancelled activities"),
    "unmatched": N_("Unmatched entries"),
    "plan_status": N_("In the plan"),
    "cancelled": N_("Cancelled"),
    "u_where": N_("Was at"),
    "u_column": N_("Column"),
    "u_value": N_("Entered"),
    "u_planned": N_("The plan says"),
    "u_why": N_("Why kept here"),
    "why_no_id": N_("the row has no activity id"),
    "why_unknown_id": N_("no activity of the plan has this id"),
    "why_differs": N_("differs from what the plan says"),
    "why_column": N_("the ledger has no such column"),
    "why_conflict": N_("differs from another row of the same activity"),
    # 物料清单 / Materials (planner.materials)
    "materials_sheet": N_("Materials"),
    "week": N_("Week"),
    "due": N_("Print due\n({days} days before Monday)"),
    "collector": N_("Collects\n(first officer)"),
    "week_total": N_("Week total (to print)"),
    "print_total": N_("Campaign total (to print)"),
}

#: Catalogue materials a station hands out and counts in its ledger, in column order.
HANDOUTS = ("leaflet", "booklet", "poster", "letter", "gift")
#: Each handout's column key in the ledger: the catalogue's material ids are the contract's
#: `targets.materials` keys, so the map is the identity (kept for the ledger's readers).
MATERIAL_KEYS = {m: m for m in HANDOUTS}

MAX_CELL = 32767  # Excel's limit on the characters in a cell


def cell_text(value: Any) -> str:
    """Text as a cell can hold it: no characters XML forbids, line breaks as \\n (a bare \\r
    would come back as \\n anyway), no more than Excel's limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return text[:MAX_CELL]
