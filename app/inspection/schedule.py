"""The inspectors' schedule: activities, the clashes between them, the CSV import of a draft, and
each attendee's calendar.

A clash is the same room, inspector or attendee booked for two activities whose times overlap on
the same day (cancelled activities clash with nothing). Every check is one query for the
activities and their attendees, then a sweep in memory: 100 activities are checked at once.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased

from app.audit import record
from app.auth.models import Agency, User, normalise_email
from app.db_types import utcnow
from app.errors import RuleBroken
from app.extensions import db
from app.inspection import permissions
from app.inspection.models import ACTIVITY_KINDS, ACTIVITY_STATUSES, Activity, AgencyUnavailability, Attendee
from app.locking import claim

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Slot:
    """What a clash is judged on: when, where and who."""

    id: int | None
    title: str
    day: date
    starts_at: time
    ends_at: time
    location: str = ""
    inspectors: tuple[str, ...] = ()
    user_ids: tuple[int, ...] = ()
    external_names: tuple[str, ...] = ()
    override_reason: str = ""
    # Agencies involved (the activity's, its attendees') that are unavailable on the day.
    unavailable: tuple[str, ...] = ()
    agency_id: int | None = None

    def resources(self, user_names: dict[int, str]) -> list[tuple[tuple[str, str], str]]:
        """(key, words) for each thing that cannot be in two places at once."""
        found = []
        if self.location.strip():
            found.append((("room", self.location.strip().lower()), self.location.strip()))
        for name in self.inspectors:
            if name.strip():
                found.append((("inspector", name.strip().lower()), f"inspector {name.strip()}"))
        for user_id in self.user_ids:
            found.append((("user", str(user_id)), user_names.get(user_id, "an attendee")))
        for name in self.external_names:
            if name.strip():
                found.append((("person", name.strip().lower()), name.strip()))
        return found


@dataclass(frozen=True)
class Clash:
    first: Slot
    second: Slot
    what: str  # "Room 2, County Hall", "inspector Jane Doe", "Sam Patel"

    @property
    def overridden(self) -> bool:
        return bool(self.first.override_reason or self.second.override_reason)

    @property
    def words(self) -> str:
        if self.first is self.second:  # an agency away on the day, not two activities
            return (
                f"{self.what} is unavailable on {self.first.day:%-d %B}, when \u201c{self.first.title}\u201d "
                f"({self.first.starts_at:%H:%M}\u2013{self.first.ends_at:%H:%M}) needs it"
            )
        return (
            f"{self.what} is booked for \u201c{self.first.title}\u201d ({self.first.starts_at:%H:%M}\u2013"
            f"{self.first.ends_at:%H:%M}) and \u201c{self.second.title}\u201d ({self.second.starts_at:%H:%M}"
            f"\u2013{self.second.ends_at:%H:%M}) on {self.first.day:%-d %B}"
        )


def split_names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace(";", ",").split(",") if part.strip())


def _away(agency_id_column):
    """The name of the agency in `agency_id_column` if it is unavailable on the activity's day (a
    correlated subquery: still one query for the whole schedule)."""
    away = aliased(Agency)
    return (
        select(away.name)
        .join(AgencyUnavailability, AgencyUnavailability.agency_id == away.id)
        .where(AgencyUnavailability.agency_id == agency_id_column, AgencyUnavailability.day == Activity.day)
        .limit(1)
        .scalar_subquery()
    )


def load_slots(
    day: date | None = None, *, exclude_id: int | None = None
) -> tuple[list[Slot], dict[int, str]]:
    """Every live activity (or one day's) as Slots, and the names of their portal attendees: one
    query, whatever the number of activities."""
    stmt = (
        select(
            Activity.id,
            Activity.title,
            Activity.day,
            Activity.starts_at,
            Activity.ends_at,
            Activity.location,
            Activity.inspectors,
            Activity.override_reason,
            Attendee.user_id,
            Attendee.external_name,
            User.full_name,
            _away(Activity.agency_id).label("agency_away"),
            _away(User.agency_id).label("attendee_agency_away"),
        )
        .outerjoin(Attendee, Attendee.activity_id == Activity.id)
        .outerjoin(User, User.id == Attendee.user_id)
        .where(Activity.status != "cancelled")
        .order_by(Activity.id, Attendee.id)
    )
    if day is not None:
        stmt = stmt.where(Activity.day == day)
    if exclude_id is not None:
        stmt = stmt.where(Activity.id != exclude_id)
    rows: dict[int, dict] = {}
    names: dict[int, str] = {}
    for row in db.session.execute(stmt):
        entry = rows.setdefault(row.id, {"row": row, "users": [], "names": [], "away": []})
        entry["away"] += [name for name in (row.agency_away, row.attendee_agency_away) if name]
        if row.user_id is not None:
            entry["users"].append(row.user_id)
            names[row.user_id] = row.full_name
        elif row.external_name:
            entry["names"].append(row.external_name)
    slots = [
        Slot(
            id=activity_id,
            title=entry["row"].title,
            day=entry["row"].day,
            starts_at=entry["row"].starts_at,
            ends_at=entry["row"].ends_at,
            location=entry["row"].location,
            inspectors=split_names(entry["row"].inspectors),
            user_ids=tuple(entry["users"]),
            external_names=tuple(entry["names"]),
            override_reason=entry["row"].override_reason,
            unavailable=tuple(dict.fromkeys(entry["away"])),
        )
        for activity_id, entry in rows.items()
    ]
    return slots, names


def find_clashes(slots: Iterable[Slot], user_names: dict[int, str] | None = None) -> list[Clash]:
    """Every pair of slots that need the same room or person at overlapping times: per day and
    resource, sorted by start, each slot compared only with those still running (a sweep)."""
    user_names = user_names or {}
    by_resource: dict[tuple, list[tuple[Slot, str]]] = defaultdict(list)
    for slot in slots:
        for key, words in slot.resources(user_names):
            by_resource[(slot.day, key)].append((slot, words))
    clashes: list[Clash] = []
    seen: set[tuple] = set()
    for entries in by_resource.values():
        entries.sort(key=lambda entry: (entry[0].starts_at, entry[0].ends_at))
        running: list[tuple[Slot, str]] = []
        for slot, words in entries:
            running = [(other, w) for other, w in running if other.ends_at > slot.starts_at]
            for other, other_words in running:
                pair = (id(other), id(slot), other_words)
                if pair not in seen:
                    seen.add(pair)
                    clashes.append(Clash(other, slot, other_words))
            running.append((slot, words))
    for slot in slots:
        clashes.extend(Clash(slot, slot, name) for name in slot.unavailable)
    clashes.sort(key=lambda c: (c.first.day, c.first.starts_at, c.second.starts_at))
    return clashes


def all_clashes() -> list[Clash]:
    slots, names = load_slots()
    return find_clashes(slots, names)


def clashes_on(day: date) -> list[Clash]:
    """The clashes of one day: a clash is always between activities on the same day, so only that
    day's activities are read."""
    slots, names = load_slots(day)
    return find_clashes(slots, names)


def conflict_count() -> int:
    """Pairs of activities that clash (in a room, or over a person) that nobody has explained with
    an override reason."""
    return len({(c.first.id, c.second.id) for c in all_clashes() if not c.overridden})


def unavailable_agencies(slot: Slot) -> tuple[str, ...]:
    """The agencies an activity needs (its own, its attendees') that are away on its day."""
    agency_ids = select(User.agency_id).where(User.id.in_(slot.user_ids))
    if slot.agency_id is not None:
        agency_ids = agency_ids.union(select(literal(slot.agency_id)))
    return tuple(
        db.session.scalars(
            select(Agency.name)
            .join(AgencyUnavailability, AgencyUnavailability.agency_id == Agency.id)
            .where(AgencyUnavailability.day == slot.day, Agency.id.in_(agency_ids))
            .order_by(Agency.name)
        )
    )


def clashes_with(candidate: Slot) -> list[Clash]:
    """The clashes an activity as edited would have with the rest of its day."""
    others, names = load_slots(candidate.day, exclude_id=candidate.id)
    candidate = replace(candidate, unavailable=unavailable_agencies(candidate))
    if candidate.user_ids:
        names.update(
            dict(
                db.session.execute(
                    select(User.id, User.full_name).where(User.id.in_(candidate.user_ids))
                ).all()
            )
        )
    return [c for c in find_clashes([*others, candidate], names) if candidate in (c.first, c.second)]


# --- Saving an activity -----------------------------------------------------------------------------


@dataclass
class ActivityDetails:
    kind: str
    title: str
    day: date
    starts_at: time
    ends_at: time
    location: str = ""
    inspectors: str = ""
    agency_id: int | None = None
    status: str = "planned"
    attendees: str = ""  # one a line: a portal user's email address, or someone else's name
    override_reason: str = ""
    user_ids: list[int] = field(default_factory=list)
    external_names: list[str] = field(default_factory=list)


def parse_time(text: str) -> time | None:
    for fmt in ("%H:%M", "%H.%M", "%H%M"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    return None


def resolve_attendees(details: ActivityDetails, field_name: str = "attendees") -> None:
    """Email addresses must be portal users; anything else is the name of someone from outside."""
    lines = [line.strip() for line in details.attendees.replace(";", "\n").splitlines() if line.strip()]
    emails = [normalise_email(line) for line in lines if "@" in line]
    found = (
        dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
        if emails
        else {}
    )
    missing = [email for email in emails if email not in found]
    if missing:
        raise RuleBroken(f"No one in the portal has the email address {missing[0]}", field=field_name)
    details.user_ids = list(dict.fromkeys(found[email] for email in emails))
    details.external_names = list(dict.fromkeys(line[:120] for line in lines if "@" not in line))


def check_details(details: ActivityDetails) -> None:
    if details.kind not in ACTIVITY_KINDS:
        raise RuleBroken("Choose the type of activity", field="kind")
    if details.status not in ACTIVITY_STATUSES:
        raise RuleBroken("Choose the status", field="status")
    if details.ends_at <= details.starts_at:
        raise RuleBroken("The end time must be after the start time", field="ends_at")


def candidate_slot(details: ActivityDetails, activity_id: int | None) -> Slot:
    return Slot(
        id=activity_id,
        title=details.title,
        day=details.day,
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        location=details.location,
        inspectors=split_names(details.inspectors),
        user_ids=tuple(details.user_ids),
        external_names=tuple(details.external_names),
        override_reason=details.override_reason,
        agency_id=details.agency_id,
    )


def clashes_as_edited(details: ActivityDetails, activity_id: int | None) -> tuple[list[Clash], str]:
    """For the form as it is being filled in: its clashes, or what stops them being checked yet
    (an attendee's email nobody in the portal has). Never raises: nothing is saved."""
    if details.ends_at <= details.starts_at:
        return [], ""
    try:
        resolve_attendees(details)
    except RuleBroken as error:
        return [], error.message
    return clashes_with(candidate_slot(details, activity_id)), ""


def refuse_unexplained_clashes(
    clashes: list[Clash], reason: str, field_name: str = "override_reason"
) -> None:
    if clashes and not reason.strip():
        raise RuleBroken(
            f"{clashes[0].words}. Change the time, room or people, or give a reason to save it anyway",
            field=field_name,
        )


def save_activity(activity: Activity | None, details: ActivityDetails, *, user, version=None) -> Activity:
    """Add or change an activity. A clash with another activity is refused unless the form gives a
    reason to keep it; portal attendees are told when their own schedule changes."""
    from app.inspection.notices import tell_attendees

    permissions.MANAGE_SCHEDULE.require(user)
    check_details(details)
    resolve_attendees(details)
    clashes = [c for c in clashes_with(candidate_slot(details, activity.id if activity else None))]
    refuse_unexplained_clashes(clashes, details.override_reason)
    before = None
    earlier_users: set[int] = set()
    if activity is None:
        activity = Activity()
        db.session.add(activity)
    else:
        before = activity.audit_view()
        earlier_users = {a.user_id for a in activity.attendees if a.user_id is not None}
        claim(activity, version)
    activity.kind = details.kind
    activity.title = details.title.strip()
    activity.day = details.day
    activity.starts_at = details.starts_at
    activity.ends_at = details.ends_at
    activity.location = details.location.strip()
    activity.inspectors = details.inspectors.strip()
    activity.agency_id = details.agency_id
    activity.status = details.status
    activity.override_reason = details.override_reason.strip()[:300] if clashes else ""
    activity.attendees = [Attendee(user_id=user_id) for user_id in details.user_ids] + [
        Attendee(external_name=name) for name in details.external_names
    ]
    db.session.flush()
    after = activity.audit_view()
    record(
        "inspection.activity.create" if before is None else "inspection.activity.edit",
        activity,
        before=before,
        after=after,
    )
    tell_attendees(activity, before=before, earlier_users=earlier_users, now_users=set(details.user_ids))
    return activity


# --- CSV import ---------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "date",
    "start",
    "end",
    "type",
    "title",
    "location",
    "inspectors",
    "attendees",
    "agency",
    "override_reason",
]
REQUIRED_COLUMNS = ["date", "start", "end", "type", "title"]
KIND_BY_WORDS = {**{k: k for k in ACTIVITY_KINDS}, **{v.lower(): k for k, v in ACTIVITY_KINDS.items()}}


@dataclass
class RowError:
    row: int
    message: str


def _read_row(values: dict[str, str], agencies: dict[str, int]) -> tuple[ActivityDetails | None, list[str]]:
    """One row of the CSV: its activity, or every problem with it."""
    problems = []
    try:
        day = datetime.strptime(values.get("date", ""), "%Y-%m-%d").date()
    except ValueError:
        day = None
        problems.append("the date must be like 2027-03-15")
    starts_at, ends_at = parse_time(values.get("start", "")), parse_time(values.get("end", ""))
    if starts_at is None or ends_at is None:
        problems.append("the start and end must be times like 09:30")
    elif ends_at <= starts_at:
        problems.append("the end must be after the start")
    kind = KIND_BY_WORDS.get(values.get("type", "").lower())
    if kind is None:
        problems.append(f"the type \u201c{values.get('type', '')[:40]}\u201d is not one we know")
    if not values.get("title"):
        problems.append("the title is missing")
    agency_name = values.get("agency", "")
    if agency_name and agency_name.lower() not in agencies:
        problems.append(f"there is no agency called \u201c{agency_name[:60]}\u201d")
    if problems:
        return None, problems
    details = ActivityDetails(
        kind=kind,
        title=values["title"][:200],
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        location=values.get("location", "")[:120],
        inspectors=values.get("inspectors", "")[:200],
        agency_id=agencies.get(agency_name.lower()) if agency_name else None,
        attendees=values.get("attendees", ""),
        override_reason=values.get("override_reason", "")[:300],
    )
    try:
        resolve_attendees(details)
    except RuleBroken as error:
        return None, [error.message[:1].lower() + error.message[1:]]
    return details, []


def read_schedule_csv(text: str) -> tuple[list[ActivityDetails], list[RowError]]:
    """Check every row of a draft schedule; the caller imports only if there are no errors. Row
    numbers count the header as row 1, as a spreadsheet shows them."""
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return [], [RowError(1, f"The first row must name the columns; missing: {', '.join(missing)}")]
    reader.fieldnames = headers
    agencies = {
        name.lower(): agency_id for agency_id, name in db.session.execute(select(Agency.id, Agency.name))
    }
    rows: list[ActivityDetails] = []
    errors: list[RowError] = []
    for number, raw in enumerate(reader, start=2):
        details, problems = _read_row({k: (v or "").strip() for k, v in raw.items() if k}, agencies)
        if problems:
            errors.append(RowError(number, "; ".join(problems).capitalize()))
        else:
            rows.append(details)
    if not rows and not errors:
        errors.append(RowError(2, "The file has no activities"))
    if not errors:
        errors.extend(_import_clashes(rows))
    return rows, errors


def _with_agencies_away(slots: list[Slot]) -> list[Slot]:
    """The rows of an import with the agencies they need that are away on their day: two queries
    for the whole file (the days away, and the agencies of the rows' attendees)."""
    days = {slot.day for slot in slots}
    away = {
        (agency_id, day): name
        for agency_id, day, name in db.session.execute(
            select(AgencyUnavailability.agency_id, AgencyUnavailability.day, Agency.name)
            .join(Agency, Agency.id == AgencyUnavailability.agency_id)
            .where(AgencyUnavailability.day.in_(days))
        )
    }
    if not away:
        return slots
    user_ids = {user_id for slot in slots for user_id in slot.user_ids}
    agency_of = dict(db.session.execute(select(User.id, User.agency_id).where(User.id.in_(user_ids))).all())
    found = []
    for slot in slots:
        needed = [slot.agency_id, *(agency_of.get(u) for u in slot.user_ids)]
        names = tuple(dict.fromkeys(away[(a, slot.day)] for a in needed if (a, slot.day) in away))
        found.append(replace(slot, unavailable=names))
    return found


def _import_clashes(rows: list[ActivityDetails]) -> list[RowError]:
    """A row that clashes (with the schedule or another row) needs an override reason."""
    existing, names = load_slots()
    candidates = _with_agencies_away([candidate_slot(details, None) for details in rows])
    row_of = {id(slot): number for number, slot in enumerate(candidates, start=2)}
    errors = []
    for clash in find_clashes([*existing, *candidates], names):
        if clash.overridden:
            continue
        for slot in (clash.second, clash.first):  # the later row is the one that clashes
            if id(slot) in row_of and not slot.override_reason:
                errors.append(
                    RowError(row_of[id(slot)], f"{clash.words}: give an override_reason or change it")
                )
                break
    return sorted({(e.row, e.message): e for e in errors}.values(), key=lambda e: e.row)


def import_schedule(text: str, *, user) -> tuple[int, list[RowError]]:
    """All the rows, or none: any error and nothing is imported."""
    permissions.MANAGE_SCHEDULE.require(user)
    rows, errors = read_schedule_csv(text)
    if errors:
        return 0, errors
    for details in rows:
        activity = Activity(
            kind=details.kind,
            title=details.title,
            day=details.day,
            starts_at=details.starts_at,
            ends_at=details.ends_at,
            location=details.location,
            inspectors=details.inspectors,
            agency_id=details.agency_id,
            status="planned",
            override_reason=details.override_reason,
            attendees=[Attendee(user_id=u) for u in details.user_ids]
            + [Attendee(external_name=n) for n in details.external_names],
        )
        db.session.add(activity)
    db.session.flush()
    record(
        "inspection.schedule.import",
        None,
        object_type="inspection_activities",
        after={"rows": len(rows)},
        summary=f"Imported {len(rows)} activities",
    )
    return len(rows), []


# --- Each attendee's own schedule, and as a calendar file ------------------------------------------------


def schedule_of(user, *, upcoming_from: date | None = None, limit: int | None = None):
    stmt = (
        select(Activity)
        .join(Attendee, Attendee.activity_id == Activity.id)
        .where(Attendee.user_id == user.id, Activity.status != "cancelled")
        .order_by(Activity.day, Activity.starts_at)
    )
    if upcoming_from is not None:
        stmt = stmt.where(Activity.day >= upcoming_from)
    if limit is not None:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def _escape(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded: CRLF and a space, never inside a character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not out else 74
        if len(current) + len(encoded) > limit:
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def calendar_for(activities, *, host: str = "partnership-portal") -> str:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Partnership Portal//Inspection schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for activity in activities:
        inspectors = activity.inspectors or "to be confirmed"
        description = f"{activity.kind_label}. Inspectors: {inspectors}. Status: {activity.status_label}."
        lines += [
            "BEGIN:VEVENT",
            f"UID:inspection-activity-{activity.id}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(activity.day, activity.starts_at)}",
            f"DTEND:{_utc(activity.day, activity.ends_at)}",
            f"SUMMARY:{_escape(activity.title)}",
            f"LOCATION:{_escape(activity.location)}",
            f"DESCRIPTION:{_escape(description)}",
            f"SEQUENCE:{activity.lock_version or 1}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def fieldwork_days() -> list[date]:
    return list(db.session.scalars(select(Activity.day).group_by(Activity.day).order_by(Activity.day)))


def activities_on(day: date):
    from sqlalchemy.orm import joinedload, selectinload

    return db.session.scalars(
        select(Activity)
        .where(Activity.day == day)
        .options(joinedload(Activity.agency), selectinload(Activity.attendees).joinedload(Attendee.user))
        .order_by(Activity.starts_at, Activity.location)
    ).all()


def activity_count() -> int:
    return db.session.scalar(select(func.count(Activity.id)))


# --- Agencies unavailable ------------------------------------------------------------------------------


def record_unavailability(*, user, agency_id: int, day: date, reason: str) -> AgencyUnavailability:
    """An agency cannot take part on a day; activities needing it that day show as clashes."""
    away = AgencyUnavailability(
        agency_id=agency_id, day=day, reason=reason.strip()[:200], created_by_id=user.id
    )
    permissions.REPORT_UNAVAILABLE.require(user, away)
    if db.session.get(Agency, agency_id) is None:
        raise RuleBroken("Choose the agency", field="agency_id")
    if db.session.scalar(
        select(AgencyUnavailability.id).where(
            AgencyUnavailability.agency_id == agency_id, AgencyUnavailability.day == day
        )
    ):
        raise RuleBroken("This agency is already recorded as unavailable on that day", field="day")
    db.session.add(away)
    db.session.flush()
    record("inspection.unavailable.add", away, after=away.audit_view())
    return away
