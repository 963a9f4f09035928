from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("home", __name__, template_folder="templates")
navigation = [NavItem("Home", "home.index", order=10), NavItem("People", "home.list_people", order=50)]
