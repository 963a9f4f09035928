"""Notifications: what someone must act on, in the portal and (as they choose) by email.

A feature that has something to tell people calls `notify(...)` in the same transaction as the
event; the email copy waits in the outbox until `flask notifications send` delivers it (retried
until the mail server takes it, never sent twice). Reminders use the same outbox, with a key that
makes each reminder once per item and stage.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates", url_prefix="/notifications")
