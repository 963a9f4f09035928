"""Signing in and out, in the audit trail's words. Routine events are hidden unless asked for."""

from app.audit.words import EventWords, events

events(
    {
        "auth.sign_in": EventWords("Signed in", routine=True),
        "auth.sign_out": EventWords("Signed out", routine=True),
        "auth.sign_in_failed": EventWords("Failed to sign in", "{summary} as {object}", routine=True),
        "auth.sign_in_refused": EventWords(
            "Sign-in refused after too many attempts",
            "Sign-in as {object} refused: too many failed attempts",
            routine=True,
        ),
        "auth.invitation_accepted": EventWords("Set a password from an invitation"),
        "auth.password_changed": EventWords("Changed their password"),
        "auth.password_reset_requested": EventWords(
            "Asked for a password reset link", "A password reset link was asked for {object}", routine=True
        ),
        "auth.password_reset": EventWords("Reset their password from an emailed link"),
        "auth.password_accepted": EventWords("Password accepted; asked for a code", routine=True),
        "auth.two_factor_failed": EventWords("Entered a wrong two-factor code", routine=True),
        "auth.two_factor_enabled": EventWords("Turned on two-factor sign-in"),
        "auth.confirmed": EventWords("Confirmed it was them before a sensitive action", routine=True),
        "auth.confirm_failed": EventWords("Failed to confirm it was them"),
        "auth.two_factor_reset": EventWords("Two-factor sign-in turned off by an administrator"),
    }
)
