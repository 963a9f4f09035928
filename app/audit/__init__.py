from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/admin/audit")

from app.audit.services import record  # noqa: E402, F401
