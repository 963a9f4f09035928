"""Moving a draft between the database and the editor form."""

from __future__ import annotations

from app.thresholds.forms import DraftForm
from app.thresholds.models import Domain, ThresholdVersion
from app.thresholds.services import DraftContent, LevelInput, PathwayInput, SectionInput, indicator_lines


def form_data_from_version(version: ThresholdVersion) -> dict:
    return {
        "lock_version": version.lock_version,
        "summary_of_amendments": version.summary_of_amendments,
        "next_review_date": version.next_review_date,
        "sections": [
            {"code": s.code, "title": s.title, "body": s.body_source, "shows": s.shows}
            for s in version.sections
        ],
        "levels": [
            {
                "level": level.level,
                "title": level.title,
                "description": level.description_source,
                "response": level.response_source,
                "contact": level.contact_source,
                **{domain.value: "\n".join(i.text for i in level.indicators_in(domain)) for domain in Domain},
            }
            for level in version.levels
        ],
        "pathways": [
            {
                "concern": p.concern,
                "level": p.level,
                "title": p.title,
                "steps": p.steps_source,
                "service_name": p.service_name,
                "contact_phone": p.contact_phone,
                "contact_email": p.contact_email,
            }
            for p in version.pathways
        ],
    }


def content_from_form(form: DraftForm) -> DraftContent:
    return DraftContent(
        summary_of_amendments=form.summary_of_amendments.data or "",
        next_review_date=form.next_review_date.data,
        sections=[
            SectionInput(
                code=e.form.code.data or "",
                title=e.form.title.data,
                body=e.form.body.data or "",
                shows=e.form.shows.data or "",
            )
            for e in form.sections.entries
        ],
        levels=[
            LevelInput(
                level=e.form.level.data,
                title=e.form.title.data,
                description=e.form.description.data or "",
                response=e.form.response.data or "",
                contact=e.form.contact.data or "",
                indicators={domain: indicator_lines(getattr(e.form, domain.value).data) for domain in Domain},
            )
            for e in sorted(form.levels.entries, key=lambda e: e.form.level.data)
        ],
        pathways=[
            PathwayInput(
                concern=e.form.concern.data,
                level=e.form.level.data,
                title=e.form.title.data,
                steps=e.form.steps.data or "",
                service_name=e.form.service_name.data or "",
                contact_phone=e.form.contact_phone.data or "",
                contact_email=e.form.contact_email.data or "",
            )
            for e in form.pathways.entries
        ],
    )
