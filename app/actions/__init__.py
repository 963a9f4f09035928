from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("actions", __name__, template_folder="templates", url_prefix="/actions")
navigation = [NavItem("Actions", "actions.list_actions", order=30)]


@bp.record_once
def _words(state) -> None:
    """The programme's vocabulary, for every template that shows actions or projects."""
    from app.actions.filters import CHALLENGE_FILTERS, SORTS
    from app.actions.models import RAG_AND_STATUS, RAG_DEFINITIONS, RAG_LABELS, REVIEW_LABELS, STATUS_LABELS

    env = state.app.jinja_env
    env.globals.update(
        rag_definitions=RAG_DEFINITIONS,
        rag_labels=RAG_LABELS,
        rag_and_status=RAG_AND_STATUS,
        status_labels=STATUS_LABELS,
        review_labels=REVIEW_LABELS,
        action_sorts=SORTS,
        challenge_filters=CHALLENGE_FILTERS,
    )
