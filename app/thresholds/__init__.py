from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("thresholds", __name__, template_folder="templates", url_prefix="/thresholds")
navigation = [NavItem("Thresholds", "thresholds.list_documents", order=20)]
