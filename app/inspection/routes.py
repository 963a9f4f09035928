"""stub"""
from app.inspection import bp  # noqa: F401
