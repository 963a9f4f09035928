"""Static files: content-hashed names from the asset build, served by WhiteNoise.

`scripts/build-assets.mjs` writes `app/static/vendor/manifest.json` mapping each plain name
("portal.css") to its hashed one ("portal.f556cba8d286.css"), with gzip and brotli copies beside
each file. A hashed file never changes, so browsers may keep it for a year; WhiteNoise serves the
compressed copy the browser accepts, without touching Flask.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask, current_app, url_for
from whitenoise import WhiteNoise

HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.")
ONE_YEAR = 365 * 24 * 3600


def asset_url(name: str) -> str:
    """The URL of a built asset by its plain name: the hashed file, cacheable for a year."""
    manifest = current_app.extensions["portal_assets"]
    return url_for("static", filename="vendor/" + manifest[name])


def _static_headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"


def init_assets(app: Flask) -> None:
    static = Path(app.static_folder)
    manifest_file = static / "vendor" / "manifest.json"
    if not manifest_file.exists():
        raise RuntimeError(
            "The front-end assets are not built: run `make setup` (node scripts/build-assets.mjs)."
        )
    app.extensions["portal_assets"] = json.loads(manifest_file.read_text())
    app.add_template_global(asset_url)
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(static),
        prefix="static/",
        max_age=3600,
        immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
        add_headers_function=_static_headers,
    )
