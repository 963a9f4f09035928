from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")
navigation = [
    NavItem("Agencies", "admin.list_agencies", order=60, permission="admin.manage_agencies"),
    NavItem("Users", "admin.list_users", order=70, permission="admin.manage_users"),
]
