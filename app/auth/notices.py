"""What signing in tells an account's owner: someone keeps failing to sign in as them."""

from __future__ import annotations

from datetime import datetime

from app.auth.models import User
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify

SIGN_IN_FAILURES = Kind("sign_in_failures", "Someone keeps failing to sign in to your account", required=True)


def sign_in_failures(user: User, now: datetime) -> None:
    notify(
        SIGN_IN_FAILURES,
        [user],
        title="Someone has repeatedly failed to sign in to your account",
        body=(
            "If it was not you, change your password and tell a portal administrator. "
            "The portal has paused the device that was trying."
        ),
        link=path_for("auth.change_password"),
        once_key=f"sign-in-failures:{now:%Y%m%d%H}",
    )


PASSWORD_CHANGED = Kind("password_changed", "Your password is changed", required=True)


def password_changed(user: User, how: str) -> None:
    """Told in the portal and by email, so a change the owner did not make does not go unseen."""
    notify(
        PASSWORD_CHANGED,
        [user],
        title=f"Your password was changed ({how})",
        body="If you did not do this, tell a portal administrator at once.",
        link=path_for("auth.change_password"),
    )


TWO_FACTOR_CHANGED = Kind("two_factor_changed", "Your two-factor sign-in is turned on or off", required=True)


def two_factor_changed(user: User, how: str) -> None:
    notify(
        TWO_FACTOR_CHANGED,
        [user],
        title=f"Two-factor sign-in was {how} for your account",
        body="If you did not expect this, tell a portal administrator at once.",
        link=path_for("auth.two_factor"),
    )
