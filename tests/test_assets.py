"""Static files: hashed names, a year in the browser's cache, compressed, and small."""

import re

import pytest


def _asset_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/vendor/[^"]+)"', page)


def test_pages_link_hashed_assets(app, client):
    page = client.get("/login").get_data(as_text=True)
    links = _asset_links(page)
    assert len(links) == 4  # icon, stylesheet, htmx, our script
    assert all(re.search(r"\.[0-9a-f]{12}\.", link) for link in links), links


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_hashed_assets_are_compressed_and_cached_for_a_year(app, client, encoding):
    for link in _asset_links(client.get("/login").get_data(as_text=True)):
        response = client.get(link, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200, link
        assert response.headers["Content-Encoding"] == encoding, link
        assert "max-age=31536000" in response.headers["Cache-Control"], link
        assert "immutable" in response.headers["Cache-Control"], link
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Accept-Encoding" in response.headers["Vary"]


def test_a_page_with_its_stylesheet_and_scripts_weighs_under_150_kb_compressed(app, client):
    page = client.get("/login")
    total = len(page.data)
    for link in _asset_links(page.get_data(as_text=True)):
        total += len(client.get(link, headers={"Accept-Encoding": "br"}).data)
    assert total < 150_000


def test_pages_themselves_are_never_cached(app, client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
