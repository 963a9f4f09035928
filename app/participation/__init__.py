"""Have your say: young people's feedback without an account, a safe route for anyone at risk,
triage by the participation leads, and "you said, we did"."""

from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("participation", __name__, template_folder="templates")
# One entry: the summary of young people's views, which leads on to the messages for those who
# read them (the menu stays on one row).
navigation = [
    NavItem("Young people", "participation.show_summary", order=45, permission="participation.see_summary")
]
