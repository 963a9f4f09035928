import pytest

from app import create_app
from app.security import CONTENT_SECURITY_POLICY
from config import ProductionConfig
from tests.factories import PASSWORD, make_user, one_of_everything


def test_security_headers_on_pages(app, client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_signed_in_pages_are_never_cached(app, client, sign_in):
    sign_in(make_user())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_no_inline_script_in_pages(app, client, sign_in):
    sign_in(make_user(role="admin"))
    for path in ("/", "/admin/users", "/admin/agencies", "/admin/audit/", "/login"):
        page = client.get(path).get_data(as_text=True)
        for chunk in page.split("<script")[1:]:
            assert chunk.lstrip().startswith(("src=", 'type="module" src=')), chunk[:80]
        assert "style=" not in page


def test_production_adds_hsts_and_secure_cookies(database_urls):
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "p" * 40, "SQLALCHEMY_DATABASE_URI": database_urls["sqlite"]},
    )
    app = create_app(config)
    response = app.test_client().get("/login")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]  # the session cookie holding the CSRF token
    assert cookie.startswith("__Host-portal_session=") and "Secure" in cookie
    assert "Path=/;" in cookie + ";" and "Domain" not in cookie, "what a __Host- cookie must be"


def test_max_content_length_is_set(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_every_get_route_sends_the_security_headers_page_and_fragment(app, client, htmx):
    """Every GET route in the url map, as an administrator (the widest reach) and anonymously, as
    a page and as an htmx fragment: whatever it answers (200, 302, 403, 404) carries the headers."""
    ids = one_of_everything()
    headers = {"HX-Request": "true"} if htmx else {}
    missing = []
    for signed_in in (False, True):
        if signed_in:
            admin = make_user(role="admin")
            client.post("/login", data={"email": admin.email, "password": PASSWORD})
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            path = rule.build(ids, append_unknown=False)[1]
            response = client.get(path, headers=headers)
            for name, value in EVERY_RESPONSE.items():
                if response.headers.get(name) != value:
                    missing.append(f"{path} ({response.status_code}): {name}")
            if "HX-Request" not in response.headers.get("Vary", "") and response.mimetype == "text/html":
                missing.append(f"{path} ({response.status_code}): Vary: HX-Request")
    assert missing == []


EVERY_RESPONSE = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
