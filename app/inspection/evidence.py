"""The evidence library: documents checked by their content (never only by their name), stored
outside the web root under generated names; links to portal pages; the checklist of what
inspectors ask for in advance; and the evidence pack for the inspection team."""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import filetype
from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.audit import record
from app.errors import RuleBroken
from app.extensions import db
from app.inspection import permissions
from app.inspection.models import ChecklistItem, EvidenceItem, JudgementArea, Visibility

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# What may be uploaded: the extensions each kind of content may carry, and how it is served.
ALLOWED = {
    "application/pdf": ({".pdf"}, "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ({".docx"}, "Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ({".xlsx"}, "Excel spreadsheet"),
    "application/vnd.oasis.opendocument.text": ({".odt"}, "OpenDocument text"),
    "image/png": ({".png"}, "PNG image"),
    "image/jpeg": ({".jpg", ".jpeg"}, "JPEG image"),
}
ALLOWED_WORDS = "a PDF, Word (DOCX), Excel (XLSX), OpenDocument text (ODT), PNG or JPEG file"
# Pages in the portal an item may link to.
LINKABLE_PREFIXES = (
    "/thresholds/",
    "/actions/",
    "/programme/",
    "/progress/",
    "/returns/",
    "/feedback/summary",
)


def evidence_dir() -> Path:
    folder = Path(current_app.config.get("EVIDENCE_DIR") or Path(current_app.instance_path) / "evidence")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def checked_upload(name: str, content: bytes) -> str:
    """The content type of an upload, judged by its bytes; its name's extension must agree."""
    if not content:
        raise RuleBroken("The selected file is empty", field="upload")
    if len(content) > MAX_UPLOAD_BYTES:
        raise RuleBroken("The selected file must be smaller than 10 MB", field="upload")
    kind = filetype.guess(content)
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED:
        raise RuleBroken(f"The selected file must be {ALLOWED_WORDS}: this one is not", field="upload")
    extensions, words = ALLOWED[mime]
    if Path(name).suffix.lower() not in extensions:
        raise RuleBroken(
            f"The file is a {words} but its name ends {Path(name).suffix or 'with no extension'}: "
            f"rename it to end {sorted(extensions)[0]}",
            field="upload",
        )
    return mime


def checked_link(path: str) -> str:
    path = path.strip()
    if not path.startswith(LINKABLE_PREFIXES) or "//" in path or any(c in path for c in "<>\"' "):
        raise RuleBroken(
            "Link to a page in the portal, starting /thresholds/, /actions/, /programme/ or /progress/",
            field="link_path",
        )
    return path[:300]


@dataclass
class EvidenceDetails:
    title: str
    owner_agency_id: int
    dated: date
    area_ids: list[int]
    visibility: str
    visible_to: list[str]
    link_path: str = ""
    file_name: str = ""
    content: bytes = b""


def add_evidence(details: EvidenceDetails, *, user) -> EvidenceItem:
    item = EvidenceItem(
        title=details.title.strip(), owner_agency_id=details.owner_agency_id, dated=details.dated
    )
    permissions.ADD_EVIDENCE.require(user, item)
    if details.visibility not in (Visibility.PARTNERSHIP, Visibility.RESTRICTED):
        raise RuleBroken("Choose who may see it", field="visibility")
    if details.visibility == Visibility.RESTRICTED and not details.visible_to:
        raise RuleBroken("Choose the roles that may see it", field="visible_to")
    has_file, has_link = bool(details.content or details.file_name), bool(details.link_path.strip())
    if has_file == has_link:
        raise RuleBroken("Upload a file or give a link to a portal page, not both", field="upload")
    item.visibility = details.visibility
    item.visible_to = (
        "," + ",".join(sorted(details.visible_to)) + ","
        if details.visibility == Visibility.RESTRICTED
        else ""
    )
    if has_link:
        item.link_path = checked_link(details.link_path)
    else:
        item.content_type = checked_upload(details.file_name, details.content)
        item.stored_name = secrets.token_hex(16) + sorted(ALLOWED[item.content_type][0])[0]
        item.file_name = Path(details.file_name).name[-200:]
        item.size = len(details.content)
    item.areas = db.session.scalars(select(JudgementArea).where(JudgementArea.id.in_(details.area_ids))).all()
    item.created_by_id = user.id
    db.session.add(item)
    db.session.flush()
    if item.stored_name:
        # Written last, once every rule has passed; a failed commit leaves an orphan file, never a
        # row without its file.
        (evidence_dir() / item.stored_name).write_bytes(details.content)
    record("inspection.evidence.add", item, after={**item.audit_view(), "areas": details.area_ids})
    return item


def evidence_file(item: EvidenceItem) -> Path:
    path = evidence_dir() / item.stored_name
    if not item.stored_name or not path.is_file():
        raise FileNotFoundError(item.stored_name)
    return path


def visible_items(user):
    return permissions.visible_evidence(
        select(EvidenceItem).options(joinedload(EvidenceItem.owner_agency), selectinload(EvidenceItem.areas)),
        user,
    ).order_by(EvidenceItem.dated.desc(), EvidenceItem.id.desc())


# --- The checklist -----------------------------------------------------------------------------------


def save_checklist_item(
    item: ChecklistItem | None, *, user, title: str, owner_agency_id, due_on, evidence_id=None, version=None
):
    """Add or change a document inspectors ask for; linking evidence ticks it off."""
    permissions.MANAGE_CHECKLIST.require(user)
    clash = db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.title == title.strip()))
    if clash is not None and (item is None or clash != item.id):
        raise RuleBroken("The checklist already has this document", field="title")
    before = None
    if item is None:
        item = ChecklistItem(title=title.strip())
        db.session.add(item)
    else:
        before = item.audit_view()
        claim_item(item, version)
    item.title = title.strip()
    item.owner_agency_id = owner_agency_id
    item.due_on = due_on
    if (
        evidence_id is not None
        and db.session.scalar(
            permissions.visible_evidence(select(EvidenceItem.id).where(EvidenceItem.id == evidence_id), user)
        )
        is None
    ):
        raise RuleBroken("Choose evidence from the library", field="evidence_id")
    item.evidence_id = evidence_id
    db.session.flush()
    record("inspection.checklist.save", item, before=before, after=item.audit_view())
    return item


def claim_item(item, version):
    from app.locking import claim

    claim(item, version)


# --- The evidence pack ----------------------------------------------------------------------------------


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError(f"The evidence index does not load {url[:80]}")


def evidence_pack(*, user, framework) -> bytes:
    """A ZIP for the inspection team: index.pdf listing every item the user may see, by area, and
    the uploaded files under files/<area or general>/."""
    from weasyprint import HTML

    permissions.EXPORT_PACK.require(user)
    items = db.session.scalars(visible_items(user)).all()
    areas = framework.areas if framework is not None else []
    by_area = [(area, [i for i in items if area in i.areas]) for area in areas]
    unplaced = [i for i in items if not i.areas]
    names = {item.id: f"files/{item.id:04d}-{Path(item.file_name).name}" for item in items if item.is_file}
    html = render_template(
        "inspection/evidence_index.html", framework=framework, by_area=by_area, unplaced=unplaced, names=names
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("index.pdf", HTML(string=html, url_fetcher=_fetch_nothing).write_pdf())
        for item in items:
            if item.is_file:
                try:
                    pack.write(evidence_file(item), names[item.id])
                except FileNotFoundError:
                    pack.writestr(names[item.id] + ".missing.txt", "This file was not found in the library.")
    record(
        "inspection.evidence.pack",
        None,
        object_type="inspection_evidence",
        after={"items": len(items)},
        summary=f"Downloaded the evidence pack ({len(items)} items)",
    )
    return buffer.getvalue()
