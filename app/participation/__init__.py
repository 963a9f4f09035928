"""Have your say: young people's feedback without an account, a safe route for anyone at risk,
triage by the participation leads, and "you said, we did"."""

from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("participation", __name__, template_folder="templates")
navigation = [
    NavItem("Feedback", "participation.triage", order=45, permission="participation.read_feedback"),
    NavItem(
        "Young people's views",
        "participation.show_summary",
        order=46,
        permission="participation.see_summary",
    ),
]
