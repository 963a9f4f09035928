"""Counting from the single central record: the right counts from a file with known answers, bad
files refused with a clear message and nothing changed, and nothing of the file kept anywhere."""

import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.dates import today
from app.extensions import db
from app.returns.scr import count_from_scr
from tests.factories import reload
from tests.returns.support import form_data, make_return

MARKER = "Zebedee Quixotic-Marchbanks"  # a name in the file, found nowhere afterwards
HEADER = (
    "Name,Date started,Agency staff,CRB check date,ID checked,References,Qualifications,RTW,"
    "Overseas needed,Overseas check date,List 99,Agency confirmation,Training date"
)


def _d(days_before_today: int) -> str:
    return (today() - timedelta(days=days_before_today)).strftime("%d/%m/%Y")


START = 50  # every appointment starts 50 days ago, inside the period (it covers 105 to 14 days ago)
BEFORE, AFTER = _d(60), _d(40)
ROWS = [
    # row 2: fully checked before start
    [f"{MARKER} 1", _d(START), "no", BEFORE, BEFORE, BEFORE, BEFORE, BEFORE, "no", "", BEFORE, "", ""],
    # row 3: DBS check after start
    ["B", _d(START), "no", AFTER, BEFORE, BEFORE, BEFORE, BEFORE, "no", "", BEFORE, "", ""],
    # row 4: references missing
    ["C", _d(START), "n", BEFORE, BEFORE, "", BEFORE, BEFORE, "no", "", BEFORE, "", ""],
    # row 5: overseas checks needed and done
    ["D", _d(START), "no", BEFORE, BEFORE, BEFORE, BEFORE, BEFORE, "yes", BEFORE, BEFORE, "", ""],
    # row 6: overseas checks needed, not done
    ["E", _d(START), "no", BEFORE, BEFORE, BEFORE, BEFORE, BEFORE, "Yes", "", BEFORE, "", ""],
    # row 7: agency staff with written confirmation
    ["F", _d(START), "yes", "", "", "", "", "", "no", "", "", BEFORE, ""],
    # row 8: agency staff without
    ["G", _d(START), "yes", "", "", "", "", "", "no", "", "", "", ""],
    # row 9: started before the period (not counted), trained in it
    ["H", _d(300), "no", _d(310), _d(310), _d(310), _d(310), _d(310), "no", "", _d(310), "", _d(30)],
    # row 10: no qualifications needed, trained in the period, ISO dates
    [
        "I",
        (today() - timedelta(days=START)).isoformat(),
        "",
        BEFORE,
        BEFORE,
        BEFORE,
        "",
        BEFORE,
        "",
        "",
        BEFORE,
        "",
        _d(20),
    ],
    ["", "", "", "", "", "", "", "", "", "", "", "", ""],  # a blank line is skipped
]
EXPECTED = {
    "appointments": 6,
    "fully_checked": 3,
    "dbs_before_start": 5,
    "identity_verified": 6,
    "references_verified": 5,
    "qualifications_checked": 6,
    "right_to_work_checked": 6,
    "barred_list_checked": 6,
    "overseas_needed": 2,
    "overseas_done": 1,
    "supply_staff": 2,
    "supply_confirmed": 1,
    "staff_trained": 2,
}


def scr_file(rows=ROWS, header=HEADER) -> bytes:
    return ("\n".join([header, *(",".join(row) for row in rows)]) + "\n").encode()


def test_counts_from_a_file_with_known_answers():
    result = count_from_scr(scr_file(), today() - timedelta(days=105), today() - timedelta(days=14))
    assert result.counts == EXPECTED
    assert result.rows_read == 9
    assert dict(result.failing) == {
        "Enhanced CRB / DBS check": [3],
        "Two references verified": [4],
        "Overseas checks": [6],
        "Written confirmation from the supplying agency": [8],
    }


def _upload(client, ret, data: bytes, name="scr.csv"):
    """The browser's multipart body, built in memory (the test client would spool a large one to
    a temporary file of its own)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return client.post(
        f"/returns/{ret.id}/scr-import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_upload_shows_counts_and_failing_rows_by_number_only_then_applies_them(app, client, as_role):
    ret = make_return(answers={"senior_manager": "Jane Whitaker", "panels": 3})
    as_role("partner", agency=ret.agency)
    response = _upload(client, ret, scr_file())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enhanced CRB / DBS check: row 3" in page and "Overseas checks: row 6" in page
    assert MARKER not in page
    applied = {key: str(value) for key, value in EXPECTED.items()}
    response = client.post(f"/returns/{ret.id}/scr-import/apply", data={**applied, "lock_version": "1"})
    assert response.status_code == 303
    assert reload(ret).answers == {"senior_manager": "Jane Whitaker", "panels": 3, **EXPECTED}
    assert reload(ret).compliance == 50


def test_nothing_of_the_file_is_stored_or_logged(app, client, as_role, caplog, monkeypatch, tmp_path):
    import tempfile

    import werkzeug.formparser

    def no_files(*args, **kwargs):
        raise AssertionError("the upload went to a file on disk")

    for module, name in (
        (tempfile, "SpooledTemporaryFile"),
        (tempfile, "TemporaryFile"),
        (tempfile, "NamedTemporaryFile"),
        (werkzeug.formparser, "SpooledTemporaryFile"),
    ):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, no_files)
    caplog.set_level(logging.DEBUG)
    ret = make_return()
    as_role("agency_lead", agency=ret.agency)
    # Padded past the size werkzeug would spool to disk (500 kB), with the marker in every row.
    padding = [[f"{MARKER} {n}", *ROWS[0][1:]] for n in range(6000)]
    assert _upload(client, ret, scr_file(ROWS + padding)).status_code == 200
    client.post(
        f"/returns/{ret.id}/scr-import/apply",
        data={**{key: "1" for key in EXPECTED}, "lock_version": "1"},
    )
    assert MARKER not in caplog.text
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            assert MARKER not in str(tuple(row)), table.name
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "return.scr_counts"))
        == 1
    )
    for path in [p for p in (tmp_path.parent, Path(app.instance_path)) if p.exists()]:
        for file in path.rglob("*"):
            if file.is_file() and file.stat().st_size < 5_000_000:
                assert MARKER.encode() not in file.read_bytes(), file


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4\x00\x01binary", "scr.pdf", "must be a CSV file"),
        (b"\x00\x01\x02", "scr.csv", "not a CSV file"),
        (b"Name,Start date\nA,01/10/2009\n", "scr.csv", "does not have the columns it needs: DBS check date"),
        (scr_file([["A", "31/02/2009", *ROWS[0][2:]]]), "scr.csv", "Row 2: the Start date is not a date"),
        (scr_file([["A", _d(START), "perhaps", *ROWS[0][3:]]]), "scr.csv", "Row 2: write yes or no"),
        (b"", "scr.csv", "The file is empty"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(app, client, as_role, data, name, message):
    ret = make_return()
    as_role("partner", agency=ret.agency)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    response = _upload(client, ret, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reload(ret).lock_version == 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_a_file_of_10_mb_or_more_is_refused_with_422(app, client, as_role):
    ret = make_return()
    as_role("partner", agency=ret.agency)
    big = scr_file() + b"x" * (10 * 1024 * 1024)
    response = _upload(client, ret, big)
    assert response.status_code == 422
    assert "10 MB or larger" in response.get_data(as_text=True)


def test_the_template_downloads_with_the_documented_columns(app, client, as_role):
    as_role("partner")
    response = client.get("/returns/scr-template")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("Start date,Agency or supply staff,DBS check date")


def test_a_submitted_return_cannot_be_filled_from_the_scr(app, client, as_role):
    ret = make_return(status="submitted")
    as_role("agency_lead", agency=ret.agency)
    assert client.get(f"/returns/{ret.id}/scr-import").status_code == 404
    assert _upload(client, ret, scr_file()).status_code == 404
    assert form_data(ret)


def test_applying_counts_to_a_draft_changed_since_is_a_409(app, client, as_role):
    ret = make_return()
    as_role("partner", agency=ret.agency)
    assert client.post(f"/returns/{ret.id}", data=form_data(ret, staff_trained="5")).status_code == 303
    response = client.post(
        f"/returns/{ret.id}/scr-import/apply", data={**{key: "1" for key in EXPECTED}, "lock_version": "1"}
    )
    assert response.status_code == 409
    assert reload(ret).answers["staff_trained"] == 5 and reload(ret).answers["appointments"] == 10
