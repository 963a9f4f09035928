"""Briefings: the inspection project team's news to staff, partners and stakeholders."""

from flask import Blueprint

bp = Blueprint("briefings", __name__, template_folder="templates", url_prefix="/briefings")
