from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/admin/audit")
# Reached from the administration page (its URL is under /admin/, so "Admin" is the current
# menu entry there).

from app.audit.services import record  # noqa: E402, F401
