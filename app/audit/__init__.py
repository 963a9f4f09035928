from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/admin/audit")
navigation = [NavItem("Audit trail", "audit.list_events", order=80, permission="audit.read")]

from app.audit.services import record  # noqa: E402, F401
