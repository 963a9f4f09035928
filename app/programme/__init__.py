from flask import Blueprint

bp = Blueprint("programme", __name__, template_folder="templates", url_prefix="/programme")
