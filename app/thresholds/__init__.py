from flask import Blueprint

bp = Blueprint("thresholds", __name__, template_folder="templates", url_prefix="/thresholds")
