"""Inspection readiness: self-assessment against the grade descriptors, the evidence library and
checklist, and the inspectors' schedule of activities."""

from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("inspection", __name__, template_folder="templates", url_prefix="/inspection")
navigation = [NavItem("Inspection", "inspection.show_overview", order=38, permission="inspection.view")]
