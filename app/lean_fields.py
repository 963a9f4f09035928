"""Lean text inputs and textareas for long forms (a return has fifty fields): the HTML GOV.UK
Frontend's macros give a WTForms field (label, hint, error message, aria-describedby), made by
plain Python. A Jinja macro per field cost a third of a millisecond through the library's generic
macros, and still a tenth through our own; this costs a hundredth.

Every value placed in the HTML goes through markupsafe's escape(), as Jinja's autoescaping would:
the label, hint, error, id, name and value. tests/test_lean_fields.py checks both give the same
HTML, escaped the same way."""

from __future__ import annotations

from markupsafe import Markup, escape


def _label_hint_error(field) -> tuple[str, str]:
    """The label, hint and error message, and the aria-describedby attribute that names them."""
    field_id = escape(field.id)
    parts = [f'<label class="govuk-label" for="{field_id}">{escape(field.label.text)}</label>']
    described = []
    if field.description:
        parts.append(f'<div id="{field_id}-hint" class="govuk-hint">{escape(field.description)}</div>')
        described.append(f"{field_id}-hint")
    if field.errors:
        parts.append(
            f'<p id="{field_id}-error" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">Error:</span> {escape(field.errors[0])}</p>'
        )
        described.append(f"{field_id}-error")
    return "\n  ".join(parts), (f' aria-describedby="{" ".join(described)}"' if described else "")


def _group(field, control: str, labels: str) -> Markup:
    error = " govuk-form-group--error" if field.errors else ""
    # Every piece above and in the control was escaped where it was made.
    return Markup(f'<div class="govuk-form-group{error}">\n  {labels}\n  {control}\n</div>')  # noqa: S704


def lean_input(field, classes: str = "", inputmode: str | None = None) -> Markup:
    labels, described_by = _label_hint_error(field)
    css = (
        "govuk-input"
        + (f" {escape(classes)}" if classes else "")
        + (" govuk-input--error" if field.errors else "")
    )
    mode = f' inputmode="{escape(inputmode)}"' if inputmode else ""
    control = (
        f'<input class="{css}" id="{escape(field.id)}" name="{escape(field.name)}" type="text" '
        f'spellcheck="false" value="{escape(field._value())}"{described_by}{mode}>'
    )
    return _group(field, control, labels)


def lean_textarea(field, rows: int = 5) -> Markup:
    labels, described_by = _label_hint_error(field)
    css = "govuk-textarea" + (" govuk-textarea--error" if field.errors else "")
    control = (
        f'<textarea class="{css}" id="{escape(field.id)}" name="{escape(field.name)}" '
        f'rows="{int(rows)}"{described_by}>{escape(field._value())}</textarea>'
    )
    return _group(field, control, labels)
