"""Lean text inputs, textareas and radios for long forms (a return has fifty fields): the HTML GOV.UK
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


def _group(field, control: str, labels: str = "") -> Markup:
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


def lean_select(field, options: Markup | None = None, *, blank: str | None = None) -> Markup:
    """GOV.UK's select for a WTForms select field: <option> tags for its choices, the chosen one
    selected; or `options`, made (and kept) elsewhere, which must offer what the field accepts (a
    list of 500 agencies: app.auth.options). `blank` is then the first option's words, with no
    value. GOV.UK's macro takes 36 ms for 500 options; this, under one."""
    labels, described_by = _label_hint_error(field)
    css = "govuk-select" + (" govuk-select--error" if field.errors else "")
    if options is None:  # each value and label escaped here
        tags = "".join(
            [
                f'<option value="{escape(choice.value)}"{" selected" if choice.selected else ""}>'
                f"{escape(choice.label)}</option>"
                for choice in field.iter_choices()
            ]
        )
    else:
        tags = escape(options)  # Markup as it is; a plain string escaped
    first = f'<option value="">{escape(blank)}</option>' if blank is not None else ""
    control = (
        f'<select class="{css}" id="{escape(field.id)}" name="{escape(field.name)}"{described_by}>'
        f"{first}{tags}</select>"
    )
    return _group(field, control, labels)


class LeanSelect:
    """A select field's widget: lean_select(), for a field of many choices (every agency)."""

    def __call__(self, field, **kwargs) -> Markup:
        if kwargs:
            raise TypeError(f"LeanSelect takes no parameters, not {sorted(kwargs)}")
        return lean_select(field)


def lean_radios(field, *, legend: str | None = None, classes: str = "") -> Markup:
    """Radios in a fieldset with a small legend (the field's label unless `legend` is given):
    GOV.UK's radios for a WTForms radio field, the answer ticked. `classes` on the radios
    ("govuk-radios--inline")."""
    field_id = escape(field.id)
    described = []
    parts = [
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        f"{escape(field.label.text if legend is None else legend)}</legend>"
    ]
    if field.description:
        parts.append(f'<div id="{field_id}-hint" class="govuk-hint">{escape(field.description)}</div>')
        described.append(f"{field_id}-hint")
    if field.errors:
        parts.append(
            f'<p id="{field_id}-error" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">Error:</span> {escape(field.errors[0])}</p>'
        )
        described.append(f"{field_id}-error")
    items = []
    name = escape(field.name)
    for number, choice in enumerate(field.iter_choices(), start=1):
        item_id = field_id if number == 1 else f"{field_id}-{number}"
        checked = " checked" if choice.selected else ""
        items.append(
            f'<div class="govuk-radios__item"><input class="govuk-radios__input" id="{item_id}" '
            f'name="{name}" type="radio" value="{escape(choice.value)}"{checked}>'
            f'<label class="govuk-label govuk-radios__label" for="{item_id}">'
            f"{escape(choice.label)}</label></div>"
        )
    radios_class = "govuk-radios" + (f" {escape(classes)}" if classes else "")
    parts.append(f'<div class="{radios_class}" data-module="govuk-radios">{"".join(items)}</div>')
    described_by = f' aria-describedby="{" ".join(described)}"' if described else ""
    fieldset = f'<fieldset class="govuk-fieldset"{described_by}>{"".join(parts)}</fieldset>'
    return _group(field, fieldset)
