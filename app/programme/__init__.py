from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("programme", __name__, template_folder="templates", url_prefix="/programme")
navigation = [NavItem("Programme", "programme.show_programme", order=40)]
