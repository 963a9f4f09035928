"""The inspectors' schedule: clashes of rooms and people (100 activities at once, in one query),
refused on save without a reason, shown as you edit; the CSV import that imports all rows or
none; each attendee's schedule on their home page and as an iCalendar file."""

from datetime import date, time

import pytest
from sqlalchemy import func, select

from app.errors import NotAllowed, RuleBroken
from app.extensions import db
from app.inspection.models import Activity
from app.inspection.schedule import (
    ActivityDetails,
    Slot,
    _fold,
    all_clashes,
    calendar_for,
    find_clashes,
    import_schedule,
    save_activity,
)
from app.notifications.models import Notification
from tests.factories import make_user, reload
from tests.inspection.helpers import FIELDWORK, make_activity, signed_in_client
from tests.querycount import counted_queries

HEADER = "date,start,end,type,title,location,inspectors,attendees,agency,override_reason\n"


def _details(**changes) -> ActivityDetails:
    values = dict(
        kind="managers",
        title="Meeting with senior managers",
        day=FIELDWORK,
        starts_at=time(9, 0),
        ends_at=time(10, 0),
        location="County Hall, Room 1",
        inspectors="Jane Marsh",
    )
    values.update(changes)
    return ActivityDetails(**values)


def test_a_hundred_activities_are_checked_in_one_query_and_every_clash_found(app):
    """Ten days, two rooms, five slots a day: 100 activities that fit; then three that clash."""
    people = [make_user(role="partner") for _ in range(4)]
    for day_number in range(10):
        day = date(2027, 3, 15 + day_number)
        for slot in range(5):
            for room in (1, 2):
                make_activity(
                    f"Day {day_number} slot {slot} room {room}",
                    day=day,
                    starts=(9 + slot, 0),
                    ends=(10 + slot, 0),
                    location=f"Room {room}",
                    inspectors=f"Inspector {room}",
                    users=[people[room - 1]],
                )
    assert db.session.scalar(select(func.count(Activity.id))) == 100
    with counted_queries(app) as statements:
        assert all_clashes() == []
    assert len(statements) == 1
    make_activity(
        "Same room", day=date(2027, 3, 17), starts=(9, 30), ends=(9, 45), location="Room 1", inspectors="X"
    )
    make_activity(
        "Same person",
        day=date(2027, 3, 18),
        starts=(13, 0),
        ends=(13, 30),
        location="Room 9",
        inspectors="Y",
        users=[people[1]],
    )
    make_activity(
        "Same inspector",
        day=date(2027, 3, 19),
        starts=(9, 0),
        ends=(9, 30),
        location="Room 8",
        inspectors="Inspector 2",
    )
    make_activity(
        "Back to back is fine",
        day=date(2027, 3, 19),
        starts=(8, 0),
        ends=(9, 0),
        location="Room 1",
        inspectors="Inspector 1",
    )
    involved = {(title, c.what) for c in all_clashes() for title in (c.first.title, c.second.title)}
    assert ("Same room", "Room 1") in involved
    assert ("Same person", people[1].full_name) in involved
    assert ("Same inspector", "inspector Inspector 2") in involved
    assert not any("Back to back" in c.first.title + c.second.title for c in all_clashes())
    with counted_queries(app) as statements:
        assert len(all_clashes()) == 3  # a room, a person and an inspector each booked twice
    assert len(statements) == 1


def test_the_sweep_finds_overlaps_only():
    def slot(n, s, e, room="R", names=()):
        return Slot(n, f"A{n}", FIELDWORK, time(s), time(e), room, (), (), names)

    clashes = find_clashes([slot(1, 9, 11), slot(2, 10, 12), slot(3, 11, 13), slot(4, 12, 13, "Other")])
    assert sorted((c.first.id, c.second.id) for c in clashes) == [(1, 2), (2, 3)]
    named = find_clashes([slot(1, 9, 10, "A", ("Carol Dunn",)), slot(2, 9, 10, "B", (" carol dunn",))])
    assert [c.what for c in named] == ["Carol Dunn"]


def test_a_clash_is_refused_on_save_unless_a_reason_is_given(app):
    pm = make_user(role="programme_manager")
    lead = make_user(role="agency_lead")
    save_activity(None, _details(attendees=lead.email), user=pm)
    db.session.commit()
    clashing = _details(
        title="Meeting with the MASH manager",
        starts_at=time(9, 30),
        ends_at=time(10, 30),
        location="Room 2",
        inspectors="Tom Reilly",
        attendees=lead.email,
    )
    with pytest.raises(
        RuleBroken, match=f"{lead.full_name} is booked for .* give a reason to save it anyway"
    ):
        save_activity(None, clashing, user=pm)
    db.session.rollback()
    clashing.override_reason = "The lead inspector asked for both"
    kept = save_activity(None, clashing, user=pm)
    db.session.commit()
    assert reload(kept).override_reason == "The lead inspector asked for both"
    with pytest.raises(NotAllowed):
        save_activity(None, _details(day=date(2027, 4, 1)), user=make_user(role="agency_lead"))


def test_activity_rules(app):
    pm = make_user(role="programme_manager")
    with pytest.raises(RuleBroken, match="end time must be after"):
        save_activity(None, _details(ends_at=time(8, 0)), user=pm)
    with pytest.raises(RuleBroken, match="No one in the portal has the email address nobody@example.test"):
        save_activity(None, _details(attendees="nobody@example.test"), user=pm)
    with pytest.raises(RuleBroken, match="type of activity"):
        save_activity(None, _details(kind="party"), user=pm)


def test_attendees_are_told_when_their_own_schedule_changes(app):
    pm = make_user(role="programme_manager")
    lead, nurse = make_user(role="agency_lead"), make_user(role="partner")
    activity = save_activity(
        None, _details(attendees=f"{lead.email}\nCarol Dunn (independent chair)"), user=pm
    )
    db.session.commit()
    assert [a.name for a in reload(activity).attendees] == [lead.full_name, "Carol Dunn (independent chair)"]

    def titles(user):
        return db.session.scalars(
            select(Notification.title).where(Notification.recipient_id == user.id)
        ).all()

    assert titles(lead) == ["You are asked to attend \u201cMeeting with senior managers\u201d"]
    activity = reload(activity)
    save_activity(
        activity,
        _details(starts_at=time(11, 0), ends_at=time(12, 0), attendees=nurse.email),
        user=pm,
        version=activity.lock_version,
    )
    db.session.commit()
    assert "You are no longer needed at \u201cMeeting with senior managers\u201d" in titles(lead)
    assert titles(nurse) == ["You are asked to attend \u201cMeeting with senior managers\u201d"]
    activity = reload(activity)
    save_activity(
        activity,
        _details(starts_at=time(14, 0), ends_at=time(15, 0), attendees=nurse.email),
        user=pm,
        version=activity.lock_version,
    )
    db.session.commit()
    assert "Changed: \u201cMeeting with senior managers\u201d" in titles(nurse)


def test_a_csv_with_one_bad_row_imports_nothing_and_names_the_row(app):
    pm = make_user(role="programme_manager")
    lead = make_user(role="agency_lead")
    text = HEADER + (
        f"2027-03-15,09:00,10:00,Meeting with managers,Senior managers,Room 1,Jane Marsh,{lead.email},,\n"
        "2027-03-15,10:15,11:15,case_tracking,Case tracking,Room 2,Tom Reilly,Carol Dunn,,\n"
        "2027-03-16,14:00,13:00,tea party,Visit to the MASH,MASH,Jane Marsh,,,\n"
        "2027-03-16,09:00,10:00,managers,Managers again,Room 1,Jane Marsh,nobody@example.test,,\n"
    )
    imported, errors = import_schedule(text, user=pm)
    assert imported == 0
    assert [e.row for e in errors] == [4, 5]
    assert "end must be after the start" in errors[0].message and "not one we know" in errors[0].message
    assert "nobody@example.test" in errors[1].message
    db.session.rollback()
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_good_csv_imports_every_row_and_clashing_rows_need_a_reason(app):
    pm = make_user(role="programme_manager")
    clash = HEADER + (
        "2027-03-15,09:00,10:00,managers,Senior managers,Room 1,Jane Marsh,,,\n"
        "2027-03-15,09:30,10:30,police,Public Protection Unit,Room 1,Tom Reilly,,,\n"
    )
    imported, errors = import_schedule(clash, user=pm)
    assert imported == 0 and [e.row for e in errors] == [3] and "override_reason" in errors[0].message
    db.session.rollback()
    fixed = clash[:-1] + "Inspectors asked to share the room\n"
    imported, errors = import_schedule(fixed, user=pm)
    db.session.commit()
    assert (imported, errors) == (2, [])
    assert db.session.scalar(select(func.count(Activity.id))) == 2


def test_a_csv_without_the_columns_is_refused(app):
    imported, errors = import_schedule("when,what\n2027-03-15,x\n", user=make_user(role="programme_manager"))
    assert (
        imported == 0 and errors[0].row == 1 and "missing: date, start, end, type, title" in errors[0].message
    )


def test_the_import_page_shows_the_rows_to_correct(app, client, as_role):
    as_role("programme_manager")
    response = client.post(
        "/inspection/schedule/import",
        data={
            "submission_token": "w" * 24,
            "schedule": (
                __import__("io").BytesIO((HEADER + "2027-13-45,9,10,managers,X,,,,,\n").encode()),
                "draft.csv",
            ),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Row 2:" in page and "Nothing was imported" in page


def test_the_calendar_file_is_rfc_5545(app):
    activity = make_activity(
        "Meeting; with managers, and a very long title that goes on well past seventy-five octets",
        location="County Hall, Room 1",
    )
    text = calendar_for([activity], host="portal.example")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Meeting\\; with managers\\, and a very long title" in unfolded
    assert "LOCATION:County Hall\\, Room 1" in unfolded
    assert "DTSTART:20270315T090000Z" in unfolded  # 09:00 in London in March is 09:00 UTC
    summer = make_activity("Summer", day=date(2027, 7, 5))
    assert "DTSTART:20270705T080000Z" in calendar_for([summer])
    assert _fold("é" * 80).count("\r\n ") == 2  # folded between characters, never inside one


def test_each_attendee_sees_their_schedule_at_home_and_downloads_it(app, client, as_role):
    user = as_role("partner")
    make_activity("Focus group: front-line staff", users=[user], day=date(2099, 3, 15))
    make_activity("Not mine", day=date(2099, 3, 15), location="Room 9")
    home = client.get("/").get_data(as_text=True)
    assert (
        "Your inspection schedule" in home
        and "Focus group: front-line staff" in home
        and "Not mine" not in home
    )
    ics = client.get("/inspection/schedule/mine/calendar")
    assert ics.mimetype == "text/calendar" and "attachment" in ics.headers["Content-Disposition"]
    assert "Focus group: front-line staff" in ics.get_data(as_text=True) and "Not mine" not in ics.get_data(
        as_text=True
    )


def test_the_timetable_by_day_and_room_marks_clashes(app):
    make_activity("First", location="Room 1")
    make_activity("Second", location="Room 1", starts=(9, 30), ends=(10, 30), override_reason="Agreed")
    client = signed_in_client(app, "partner")
    page = client.get("/inspection/schedule/?day=2027-03-15&by=room").get_data(as_text=True)
    assert "Room 1" in page and "Clash" in page and "Kept: Agreed" in page and "kept on purpose" in page


def test_clashes_show_as_you_edit(app):
    make_activity("Meeting with managers", location="Room 1")
    client = signed_in_client(app, "programme_manager")
    form = {
        "kind": "police",
        "title": "PPU",
        "day": ["15", "3", "2027"],
        "starts_at": "09:30",
        "ends_at": "10:00",
        "location": "room 1",
        "inspectors": "",
        "attendees": "",
        "agency_id": "0",
        "status": "planned",
    }
    fragment = client.post("/inspection/schedule/check", data=form, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "This activity clashes" in fragment.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    calm = client.post(
        "/inspection/schedule/check", data={**form, "location": "Room 2"}, headers={"HX-Request": "true"}
    )
    assert "No clashes" in calm.get_data(as_text=True)
    unknown = client.post(
        "/inspection/schedule/check",
        data={**form, "attendees": "nobody@example.test"},
        headers={"HX-Request": "true"},
    )
    assert "No one in the portal has the email address nobody@example.test" in unknown.get_data(as_text=True)
    saved = client.post("/inspection/schedule/new", data={**form, "submission_token": "x" * 24})
    assert saved.status_code == 422 and "give a reason to save it anyway" in saved.get_data(as_text=True)
    assert "This activity clashes" in saved.get_data(as_text=True)  # listed without JavaScript too
    kept = client.post(
        "/inspection/schedule/new", data={**form, "submission_token": "y" * 24, "override_reason": "Shared"}
    )
    assert kept.status_code == 303
    assert (
        signed_in_client(app, "agency_lead").post("/inspection/schedule/check", data=form).status_code == 403
    )


def test_an_activity_needing_an_agency_on_a_day_it_is_away_clashes(app):
    from app.inspection.schedule import record_unavailability

    pm = make_user(role="programme_manager")
    lead = make_user(role="agency_lead")
    record_unavailability(user=lead, agency_id=lead.agency_id, day=FIELDWORK, reason="Court week")
    db.session.commit()
    with pytest.raises(RuleBroken, match="already recorded"):
        record_unavailability(user=pm, agency_id=lead.agency_id, day=FIELDWORK, reason="")
    with pytest.raises(NotAllowed):  # an agency lead speaks for their own agency only
        record_unavailability(user=lead, agency_id=pm.agency_id, day=FIELDWORK, reason="")
    make_activity("With the lead", users=[lead])
    make_activity("For the agency", agency_id=lead.agency_id, location="Room 2", inspectors="Tom Reilly")
    make_activity("Another day", users=[lead], day=date(2027, 3, 16))
    with counted_queries(app) as statements:
        found = all_clashes()
    assert len(statements) == 1
    assert sorted(c.first.title for c in found if c.first is c.second) == ["For the agency", "With the lead"]
    assert f"{lead.agency.name} is unavailable on 15 March" in found[0].words
    with pytest.raises(RuleBroken, match="is unavailable on 15 March"):
        save_activity(
            None,
            _details(
                attendees=lead.email,
                location="Room 9",
                inspectors="Amy Lowe",
                starts_at=time(11),
                ends_at=time(12),
            ),
            user=pm,
        )


def test_agency_leads_record_their_own_days_away_through_the_page(app):
    client = signed_in_client(app, "agency_lead")
    form = {"agency_id": str(client.user.agency_id), "day": ["15", "3", "2027"], "reason": "Training day"}
    response = client.post("/inspection/schedule/unavailable", data={**form, "submission_token": "a" * 24})
    assert response.status_code == 303
    page = client.get("/inspection/schedule/unavailable").get_data(as_text=True)
    assert "Training day" in page
    assert signed_in_client(app, "partner").get("/inspection/schedule/unavailable").status_code == 403


def test_an_imported_row_needing_an_agency_on_its_day_away_needs_a_reason(app):
    from app.inspection.schedule import record_unavailability

    pm = make_user(role="programme_manager")
    lead = make_user(role="agency_lead")
    record_unavailability(user=pm, agency_id=lead.agency_id, day=FIELDWORK, reason="Court week")
    db.session.commit()
    text = HEADER + (
        "2027-03-15,09:00,10:00,managers,Senior managers,Room 1,Jane Marsh,,,\n"
        f"2027-03-15,11:00,12:00,police,Public Protection Unit,Room 2,Tom Reilly,{lead.email},,\n"
    )
    imported, errors = import_schedule(text, user=pm)
    assert (
        imported == 0 and [e.row for e in errors] == [3] and "is unavailable on 15 March" in errors[0].message
    )


def test_one_days_clashes_are_those_of_the_whole_schedule_on_that_day(app):
    from datetime import timedelta

    from app.inspection.schedule import all_clashes, clashes_on

    pm = make_user(role="programme_manager")
    next_day = FIELDWORK + timedelta(days=1)
    make_activity("Managers", location="Room 1", users=[pm])
    make_activity("Practitioners", location="Room 1", starts=(9, 30), ends=(10, 30))
    make_activity("Board chair", location="Room 2", starts=(9, 45), ends=(10, 15), users=[pm])
    make_activity("Managers again", day=next_day, location="Room 1")
    make_activity("Case audit", day=next_day, location="Room 1", starts=(9, 30), ends=(10, 30))

    def words(clashes):
        return sorted(c.words for c in clashes)

    for day in (FIELDWORK, next_day):
        assert words(clashes_on(day)) == words(c for c in all_clashes() if c.first.day == day)
    # Room 1 and inspector Jane Marsh twice, the programme manager, Jane Marsh again; next day, two.
    assert len(clashes_on(FIELDWORK)) == 5 and len(clashes_on(next_day)) == 2


def test_an_edit_posted_without_its_times_asks_for_them_and_saves_nothing(app):
    """A posted form is what was posted: left-out times are blank (not the activity's own), so the
    page asks for them instead of failing (once a 500: the checks could not read a `time`)."""
    activity = make_activity("Police case audit")
    client = signed_in_client(app, "programme_manager")
    response = client.post(
        f"/inspection/schedule/{activity.id}/edit",
        data={"lock_version": "1", "kind": "managers", "title": "Renamed", "day": FIELDWORK.isoformat()},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the start time" in page and "Enter the end time" in page
    assert reload(activity).title == "Police case audit" and reload(activity).starts_at == time(9, 0)
