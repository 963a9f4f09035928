"""Safer-recruitment returns: each agency's periodic assurance that the people it recruits to work
with children were checked, reviewed by the partnership."""

from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("returns", __name__, template_folder="templates", url_prefix="/returns")
navigation = [NavItem("Returns", "returns.list_returns", order=42, permission="returns.see")]
