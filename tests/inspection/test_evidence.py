"""The evidence library: uploads judged by their content (a PDF named .exe and an EXE named .pdf
are both refused), stored under generated names outside the web root and downloaded as
attachments; links to portal pages; visibility enforced in the query; the checklist; the pack."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.errors import NotAllowed, RuleBroken
from app.extensions import db
from app.inspection.evidence import (
    add_evidence,
    checked_upload,
    evidence_pack,
    save_checklist_item,
)
from app.inspection.models import EvidenceItem, JudgementArea
from tests.factories import make_agency, make_user, reload
from tests.inspection.helpers import evidence_details, make_framework, signed_in_client

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def evidence_dir(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.mark.parametrize(
    ("name", "content"), [("minutes.pdf", PDF), ("plan.docx", _docx()), ("chart.png", PNG)]
)
def test_documents_are_accepted_by_their_content(name, content):
    assert checked_upload(name, content)


def test_a_pdf_renamed_to_exe_is_refused_because_its_name_disagrees():
    with pytest.raises(RuleBroken, match=r"is a PDF but its name ends \.exe: rename it to end \.pdf"):
        checked_upload("minutes.exe", PDF)


def test_an_exe_renamed_to_pdf_is_refused_because_of_what_it_is():
    with pytest.raises(RuleBroken, match="must be a PDF, Word"):
        checked_upload("minutes.pdf", EXE)


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(RuleBroken, match="empty"):
        checked_upload("a.pdf", b"")
    with pytest.raises(RuleBroken, match="smaller than 10 MB"):
        checked_upload("a.pdf", PDF + b"0" * (10 * 1024 * 1024))


def test_an_upload_is_stored_under_a_generated_name_outside_the_web_root(app, evidence_dir):
    admin = make_user(role="admin")
    item = add_evidence(
        evidence_details(owner_agency_id=admin.agency_id, file_name="../../minutes.pdf", content=PDF),
        user=admin,
    )
    db.session.commit()
    stored = list(evidence_dir.iterdir())
    assert [p.name for p in stored] == [item.stored_name] and item.stored_name.endswith(".pdf")
    assert "minutes" not in item.stored_name and stored[0].read_bytes() == PDF
    assert item.file_name == "minutes.pdf" and item.content_type == "application/pdf"
    assert Path(app.static_folder) not in stored[0].parents


def test_the_page_refuses_an_exe_named_pdf_and_keeps_nothing(app, client, as_role, evidence_dir):
    user = as_role("programme_manager")
    response = client.post(
        "/inspection/evidence/new",
        data={
            "title": "Minutes",
            "owner_agency_id": str(user.agency_id),
            "dated": ["1", "10", "2026"],
            "visibility": "partnership",
            "submission_token": "u" * 24,
            "upload": (io.BytesIO(EXE), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "must be a PDF, Word" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EvidenceItem.id))) == 0
    assert not evidence_dir.exists() or list(evidence_dir.iterdir()) == []


def test_an_upload_through_the_page_downloads_as_an_attachment(app, client, as_role, evidence_dir):
    user = as_role("programme_manager")
    response = client.post(
        "/inspection/evidence/new",
        data={
            "title": "Minutes",
            "owner_agency_id": str(user.agency_id),
            "dated": ["1", "10", "2026"],
            "visibility": "partnership",
            "submission_token": "v" * 24,
            "upload": (io.BytesIO(PDF), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    item = db.session.scalar(select(EvidenceItem))
    download = client.get(f"/inspection/evidence/{item.id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_links_must_be_portal_pages(app):
    admin = make_user(role="admin")
    item = add_evidence(
        evidence_details(owner_agency_id=admin.agency_id, link_path="/thresholds/doc/versions/1"), user=admin
    )
    assert item.link_path == "/thresholds/doc/versions/1"
    for bad in ("https://example.org/", "//evil.example/", "javascript:alert(1)", "/admin/users"):
        with pytest.raises(RuleBroken, match="Link to a page in the portal"):
            add_evidence(evidence_details(owner_agency_id=admin.agency_id, link_path=bad), user=admin)
    with pytest.raises(RuleBroken, match="not both"):
        add_evidence(
            evidence_details(
                owner_agency_id=admin.agency_id, link_path="/programme/", file_name="a.pdf", content=PDF
            ),
            user=admin,
        )


def test_agency_leads_add_evidence_only_for_their_own_agency(app):
    lead = make_user(role="agency_lead")
    add_evidence(evidence_details(owner_agency_id=lead.agency_id, link_path="/programme/"), user=lead)
    with pytest.raises(NotAllowed):
        add_evidence(evidence_details(owner_agency_id=make_agency().id, link_path="/programme/"), user=lead)
    with pytest.raises(NotAllowed):
        add_evidence(
            evidence_details(owner_agency_id=lead.agency_id, link_path="/programme/"),
            user=make_user(role="partner"),
        )


def test_restricted_evidence_is_seen_only_by_the_roles_it_names(app, client, as_role):
    admin = make_user(role="admin")
    add_evidence(
        evidence_details(title="Open minutes", owner_agency_id=admin.agency_id, link_path="/programme/"),
        user=admin,
    )
    add_evidence(
        evidence_details(
            title="Safer recruitment assurance",
            owner_agency_id=admin.agency_id,
            link_path="/progress/",
            visibility="restricted",
            visible_to=["trust_member"],
        ),
        user=admin,
    )
    with pytest.raises(RuleBroken, match="Choose the roles"):
        add_evidence(
            evidence_details(
                owner_agency_id=admin.agency_id, link_path="/programme/", visibility="restricted"
            ),
            user=admin,
        )
    db.session.commit()
    page = signed_in_client(app, "partner").get("/inspection/evidence/").get_data(as_text=True)
    assert "Open minutes" in page and "Safer recruitment" not in page
    for role in ("trust_member", "programme_manager"):
        page = signed_in_client(app, role).get("/inspection/evidence/").get_data(as_text=True)
        assert "Safer recruitment" in page, role


def test_the_checklist_is_ticked_when_evidence_is_linked(app):
    pm = make_user(role="programme_manager")
    item = save_checklist_item(
        None,
        user=pm,
        title="Minutes of the last six Board meetings",
        owner_agency_id=pm.agency_id,
        due_on=date(2027, 3, 1),
    )
    db.session.commit()
    assert not reload(item).ticked
    evidence = add_evidence(evidence_details(owner_agency_id=pm.agency_id, link_path="/programme/"), user=pm)
    save_checklist_item(
        reload(item),
        user=pm,
        title=item.title,
        owner_agency_id=pm.agency_id,
        due_on=item.due_on,
        evidence_id=evidence.id,
        version=reload(item).lock_version,
    )
    db.session.commit()
    assert reload(item).ticked
    with pytest.raises(RuleBroken, match="already has this document"):
        save_checklist_item(
            None, user=pm, title="Minutes of the last six Board meetings", owner_agency_id=None, due_on=None
        )
    with pytest.raises(NotAllowed):
        save_checklist_item(
            None, user=make_user(role="agency_lead"), title="X", owner_agency_id=None, due_on=None
        )


def test_the_evidence_pack_holds_an_index_by_area_and_every_file(app, evidence_dir):
    framework = make_framework("Partnership working", "Leadership and management")
    partnership, leadership = db.session.scalars(select(JudgementArea).order_by(JudgementArea.position)).all()
    pm = make_user(role="programme_manager")
    add_evidence(
        evidence_details(
            title="Board minutes",
            owner_agency_id=pm.agency_id,
            file_name="minutes.pdf",
            content=PDF,
            area_ids=[leadership.id],
        ),
        user=pm,
    )
    add_evidence(
        evidence_details(
            title="Joint visits audit",
            owner_agency_id=pm.agency_id,
            file_name="audit.docx",
            content=_docx(),
            area_ids=[partnership.id, leadership.id],
        ),
        user=pm,
    )
    add_evidence(
        evidence_details(
            title="Threshold document", owner_agency_id=pm.agency_id, link_path="/thresholds/doc/versions/1"
        ),
        user=pm,
    )
    db.session.commit()
    pack = zipfile.ZipFile(io.BytesIO(evidence_pack(user=pm, framework=reload(framework))))
    names = sorted(pack.namelist())
    assert names == ["files/0001-minutes.pdf", "files/0002-audit.docx", "index.pdf"]
    assert pack.read("files/0001-minutes.pdf") == PDF
    index = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.read("index.pdf"))).pages)
    for words in (
        "Partnership working",
        "Leadership and management",
        "Joint visits audit",
        "Board minutes",
        "Not yet linked to an area",
        "Threshold document",
        "files/0001-minutes.pdf",
    ):
        assert words in index, words
    with pytest.raises(NotAllowed):
        evidence_pack(user=make_user(role="partner"), framework=framework)


def test_the_pack_downloads_as_a_zip_for_the_programme_manager(app, client, as_role, evidence_dir):
    make_framework()
    as_role("programme_manager")
    response = client.post("/inspection/evidence/pack")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "index.pdf" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert signed_in_client(app, "agency_lead").post("/inspection/evidence/pack").status_code == 403


def _flat(form: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, values in form.items() for v in (values if isinstance(values, list) else [values])]


def test_the_upload_page_takes_documents_up_to_10_mb(app, client, as_role, evidence_dir):
    """Larger than the portal's 2 MB limit for ordinary forms; the page raises it for itself."""
    user = as_role("agency_lead")
    form = {
        "title": "Serious case review action plan",
        "owner_agency_id": str(user.agency_id),
        "dated": ["1", "10", "2026"],
        "visibility": "partnership",
    }
    big = PDF + b"0" * (3 * 1024 * 1024)
    # Encoded in memory: the test client would spool a body this size to a file it never closes.
    boundary, body = encode_multipart(
        MultiDict(
            [
                *_flat(form),
                ("submission_token", "z" * 24),
                ("upload", FileStorage(io.BytesIO(big), "plan.pdf")),
            ]
        )
    )
    response = client.post(
        "/inspection/evidence/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 303
    assert db.session.scalar(select(EvidenceItem.size)) == len(big)
    # Announced as 11 MB: refused before a byte of it is read (and nothing is kept).
    too_big = client.post(
        "/inspection/evidence/new",
        data={**form, "submission_token": "y" * 24, "upload": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
        environ_overrides={"CONTENT_LENGTH": str(11 * 1024 * 1024)},
    )
    assert too_big.status_code == 413
    assert db.session.scalar(select(func.count(EvidenceItem.id))) == 1


def test_an_area_lists_the_evidence_that_supports_it(app):
    framework = make_framework("Partnership working", "Value for money")
    partnership = db.session.scalar(select(JudgementArea).where(JudgementArea.name == "Partnership working"))
    admin = make_user(role="admin")
    add_evidence(
        evidence_details(
            title="MASH audit",
            owner_agency_id=admin.agency_id,
            link_path="/programme/",
            area_ids=[partnership.id],
        ),
        user=admin,
    )
    add_evidence(
        evidence_details(title="Budget report", owner_agency_id=admin.agency_id, link_path="/programme/"),
        user=admin,
    )
    db.session.commit()
    page = (
        signed_in_client(app, "partner")
        .get(f"/inspection/self-assessment/{partnership.id}")
        .get_data(as_text=True)
    )
    assert "MASH audit" in page and "Budget report" not in page
    assert framework.id


def test_the_pack_asks_for_the_password_when_the_sign_in_is_not_fresh(app, client, as_role, evidence_dir):
    from app.auth.services import SIGNED_IN_AT

    make_framework()
    as_role("programme_manager")
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = 0
    response = client.post(
        "/inspection/evidence/pack", headers={"Referer": "http://localhost/inspection/evidence/"}
    )
    assert response.status_code == 303 and response.mimetype != "application/zip"
    assert response.headers["Location"] == "/account/confirm?next=/inspection/evidence/"
