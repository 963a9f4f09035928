from flask import Blueprint

from app.navigation import NavItem

bp = Blueprint("actions", __name__, template_folder="templates", url_prefix="/actions")
navigation = [NavItem("Actions", "actions.list_actions", order=30)]


@bp.record_once
def _words(state) -> None:
    """The programme's vocabulary, for every template that shows actions or projects."""
    from app.actions.filters import SORTS
    from app.actions.forms import RAG_HINTS
    from app.actions.models import RAG_DEFINITIONS, RAG_LABELS, STATUS_LABELS

    env = state.app.jinja_env
    env.globals.update(
        rag_definitions=RAG_DEFINITIONS,
        rag_labels=RAG_LABELS,
        status_labels=STATUS_LABELS,
        rag_hints=RAG_HINTS,
        action_sorts=SORTS,
    )
