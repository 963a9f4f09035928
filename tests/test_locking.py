"""app/locking.py, directly: a change starts by claiming the version its form was loaded at."""

import pytest

from app.auth.models import Agency
from app.errors import StaleEdit
from app.locking import claim
from tests.factories import make_agency, reload


def test_claiming_the_current_version_moves_it_on_by_one(app):
    agency = make_agency()
    claim(agency, agency.lock_version)
    assert agency.lock_version == 2


@pytest.mark.parametrize("loaded", [0, 2, None])
def test_any_other_version_or_none_is_a_stale_edit(app, loaded):
    agency = make_agency()
    with pytest.raises(StaleEdit) as caught:
        claim(agency, loaded, "Someone renamed this agency.")
    assert type(caught.value) is StaleEdit and caught.value.message == "Someone renamed this agency."
    assert reload(agency).lock_version == 1


def test_a_form_without_a_version_is_stale_even_for_a_record_not_yet_saved(app):
    """A new record has no version until it is flushed; None must not match None."""
    with pytest.raises(StaleEdit) as caught:
        claim(Agency(name="Unsaved", kind="police"), None)
    assert caught.value.message.startswith("Someone else changed this")
