"""The Children's Trust's view of the partnership: progress at a glance, trends, each agency's
record, and the board report as a PDF, all from the modules' own numbers."""

from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("progress", __name__, template_folder="templates", url_prefix="/progress")
navigation = [NavItem("Progress", "progress.show_dashboard", order=35, permission="progress.view")]
