"""Counting a return's answers from the agency's single central record (SCR) export.

The lead uploads a CSV of their SCR; this module reads it in memory, works out the period's counts
and which rows fail which check (by row number only), and forgets it. Nothing of the file is
stored or logged: not the file, not a row, not a name. Error messages name a row and a column,
never what the cell said.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from app.errors import RuleBroken

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: files this size or larger are refused
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # as in the template
    meaning: str
    required: bool = False
    spellings: tuple[str, ...] = ()
    kind: str = "date"  # "date" or "yes_no"


COLUMNS = (
    Column(
        "start_date",
        "Start date",
        "The day the person started work with you (or, for agency staff, started their placement).",
        required=True,
        spellings=(
            "date started",
            "started",
            "start",
            "date of starting",
            "appointment date",
            "employment start date",
            "date of appointment",
        ),
    ),
    Column(
        "supply",
        "Agency or supply staff",
        "Yes for agency or supply staff placed with you; no (or blank) for your own appointments.",
        spellings=("agency staff", "supply staff", "supply", "agency worker", "agency"),
        kind="yes_no",
    ),
    Column(
        "dbs",
        "DBS check date",
        "The date the enhanced CRB (now DBS) disclosure was obtained.",
        required=True,
        spellings=(
            "crb check date",
            "dbs date",
            "crb date",
            "enhanced dbs",
            "enhanced crb",
            "dbs",
            "crb",
            "dbs check",
            "crb check",
            "dbs disclosure date",
            "crb disclosure date",
        ),
    ),
    Column(
        "identity",
        "Identity checked date",
        "The date their identity was verified.",
        required=True,
        spellings=(
            "identity check date",
            "id checked",
            "id check date",
            "identity",
            "identity checked",
            "proof of identity",
        ),
    ),
    Column(
        "references",
        "References verified date",
        "The date the second of two references was obtained and verified.",
        required=True,
        spellings=(
            "references date",
            "references",
            "references received",
            "reference check date",
            "two references verified",
        ),
    ),
    Column(
        "qualifications",
        "Qualifications checked date",
        "The date their qualifications were checked (blank if the post needs none: counts as checked).",
        spellings=("qualifications", "qualifications checked", "qualification check date"),
    ),
    Column(
        "right_to_work",
        "Right to work checked date",
        "The date their right to work in the UK was checked.",
        required=True,
        spellings=("right to work", "right to work date", "rtw", "rtw date", "right to work check"),
    ),
    Column(
        "overseas_needed",
        "Overseas checks needed",
        "Yes if they have lived or worked abroad and need overseas checks.",
        spellings=("overseas needed", "lived abroad", "overseas check needed", "overseas"),
        kind="yes_no",
    ),
    Column(
        "overseas",
        "Overseas checks date",
        "The date the overseas checks were done.",
        spellings=("overseas check date", "overseas checks", "overseas checks done"),
    ),
    Column(
        "barred_list",
        "Barred list check date",
        "The date of the List 99 / barred-list check.",
        required=True,
        spellings=(
            "list 99",
            "list 99 check date",
            "list99",
            "barred list",
            "barred list date",
            "isa barred list",
            "list 99 date",
        ),
    ),
    Column(
        "supplier_confirmation",
        "Supplier confirmation date",
        "For agency or supply staff: the date written confirmation of checks came from the supplying agency.",
        spellings=(
            "supplier confirmation",
            "agency confirmation",
            "agency confirmation date",
            "written confirmation",
        ),
    ),
    Column(
        "trained",
        "Safer recruitment training date",
        "The date they completed safer recruitment training, if they did.",
        spellings=(
            "safer recruitment training",
            "training date",
            "safer recruitment trained",
            "sr training date",
            "trained",
        ),
    ),
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}

# The checks an appointment must have before its start date, and the return's answer for each.
CHECKS = (
    ("dbs", "dbs_before_start", "Enhanced CRB / DBS check"),
    ("identity", "identity_verified", "Identity verified"),
    ("references", "references_verified", "Two references verified"),
    ("qualifications", "qualifications_checked", "Qualifications checked"),
    ("right_to_work", "right_to_work_checked", "Right to work checked"),
    ("barred_list", "barred_list_checked", "List 99 / barred-list check"),
)
COUNTED_KEYS = frozenset(
    {
        "appointments",
        "fully_checked",
        *(answer for _, answer, _ in CHECKS),
        "overseas_needed",
        "overseas_done",
        "supply_staff",
        "supply_confirmed",
        "staff_trained",
    }
)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


HEADINGS = {
    _squash(spelling): column.key
    for column in COLUMNS
    for spelling in (column.heading, column.key, *column.spellings)
}


@dataclass
class ScrCounts:
    counts: dict[str, int]
    rows_read: int
    # Each check's label and the row numbers (as in a spreadsheet: the header is row 1) failing it.
    failing: list[tuple[str, list[int]]] = field(default_factory=list)


def _date(text: str, row: int, heading: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RuleBroken(f"Row {row}: the {heading} is not a date. Write dates like 31/12/2009.", field="file")


def _yes(text: str, row: int, heading: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RuleBroken(f"Row {row}: write yes or no for {heading}.", field="file")


def _text_of(data: bytes) -> str:
    if b"\x00" in data:
        raise RuleBroken(
            "This is not a CSV file. Save your SCR as CSV (comma separated values) and upload that.",
            field="file",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RuleBroken(
        "This is not a CSV file. Save your SCR as CSV (comma separated values) and upload that.", field="file"
    )


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = HEADINGS.get(_squash(heading))
        if key and key not in found:
            found[key] = index
    missing = [c.heading for c in COLUMNS if c.required and c.key not in found]
    if missing:
        raise RuleBroken(
            "The file does not have the columns it needs: "
            + ", ".join(missing)
            + ". Use the template's column headings.",
            field="file",
        )
    return found


def read_rows(data: bytes):
    """Each row of the CSV as (row number, {column key: cell text}); RuleBroken if it cannot be."""
    if len(data) >= MAX_BYTES:
        raise RuleBroken(
            "The file is 10 MB or larger. Upload only the staff who started in this period.", field="file"
        )
    text = _text_of(data)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if not header:
            raise RuleBroken(
                "The file is empty. Use the template and add a row for each person.", field="file"
            )
        columns = _columns(header)
        for number, cells in enumerate(reader, start=2):
            if number > MAX_ROWS:
                raise RuleBroken(f"The file has more than {MAX_ROWS:,} rows.", field="file")
            if not any(cell.strip() for cell in cells):
                continue
            yield number, {key: cells[index] if index < len(cells) else "" for key, index in columns.items()}
    except csv.Error:
        raise RuleBroken(
            "This file could not be read as CSV. Save it again as CSV and upload it.", field="file"
        ) from None


def _parsed(number: int, cells: dict[str, str]) -> dict:
    values = {}
    for column in COLUMNS:
        if column.key not in cells:
            values[column.key] = None if column.kind == "date" else False
        elif column.kind == "yes_no":
            values[column.key] = _yes(cells[column.key], number, column.heading)
        else:
            values[column.key] = _date(cells[column.key], number, column.heading)
    return values


def _before(check: date | None, start: date) -> bool:
    return check is not None and check <= start


def count_from_scr(data: bytes, covers_from: date, covers_to: date) -> ScrCounts:
    """The period's counts from an SCR export (bytes of a CSV): appointments and agency staff who
    started between covers_from and covers_to, each check done on or before their start date, and
    staff trained in the period."""
    counts = dict.fromkeys(sorted(COUNTED_KEYS), 0)
    failing: dict[str, list[int]] = {label: [] for _, _, label in CHECKS}
    failing["Overseas checks"] = []
    failing["Written confirmation from the supplying agency"] = []
    rows = 0
    for number, cells in read_rows(data):
        rows += 1
        person = _parsed(number, cells)
        start = person["start_date"]
        if start is None:
            raise RuleBroken(f"Row {number}: the Start date is missing.", field="file")
        if person["trained"] is not None and covers_from <= person["trained"] <= covers_to:
            counts["staff_trained"] += 1
        if not covers_from <= start <= covers_to:
            continue
        if person["supply"]:
            counts["supply_staff"] += 1
            if _before(person["supplier_confirmation"], start):
                counts["supply_confirmed"] += 1
            else:
                failing["Written confirmation from the supplying agency"].append(number)
            continue
        counts["appointments"] += 1
        fully = _count_checks(person, start, number, counts, failing)
        counts["fully_checked"] += fully
    return ScrCounts(counts, rows, [(label, numbers) for label, numbers in failing.items() if numbers])


def _count_checks(person: dict, start: date, number: int, counts: dict, failing: dict) -> int:
    passed_all = True
    for column, answer, label in CHECKS:
        # A post that needs no qualifications leaves the date blank: that is not a failure.
        done = person[column] is None if column == "qualifications" else False
        if done or _before(person[column], start):
            counts[answer] += 1
        else:
            passed_all = False
            failing[label].append(number)
    if person["overseas_needed"]:
        counts["overseas_needed"] += 1
        if _before(person["overseas"], start):
            counts["overseas_done"] += 1
        else:
            passed_all = False
            failing["Overseas checks"].append(number)
    return 1 if passed_all else 0


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.heading for c in COLUMNS])
    writer.writerow(
        [
            "01/10/2009",
            "no",
            "14/09/2009",
            "14/09/2009",
            "21/09/2009",
            "14/09/2009",
            "14/09/2009",
            "no",
            "",
            "14/09/2009",
            "",
            "12/10/2009",
        ]
    )
    return buffer.getvalue()
