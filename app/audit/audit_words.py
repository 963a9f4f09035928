"""The audit trail's own words for features that have not brought theirs yet."""

from app.audit import thresholds_words  # noqa: F401 - TODO(merge): app/thresholds/audit_words.py
