from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")
# One entry: the administration page leads to agencies, users and the audit trail, so the menu
# stays one row as modules arrive.
navigation = [NavItem("Admin", "admin.index", order=60, permission="admin.manage_users")]
