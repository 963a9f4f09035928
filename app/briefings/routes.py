"""stub"""
from app.briefings import bp  # noqa: F401
