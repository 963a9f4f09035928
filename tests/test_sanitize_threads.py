"""Rich text rendered by many threads at once (gunicorn's) gives each caller exactly its own output."""

from __future__ import annotations

import random
import sys
import threading

import pytest

from app import create_app
from app.sanitize import clean_html, render_markdown
from config import TestingConfig

THREADS = 8
ROUNDS = 12

MARKDOWN = [
    "Most children's needs are met by **universal** services.",
    "## Level 4\n\nRefer to [the MASH](https://mash.example/refer) the *same day*.\n\n- call\n- write\n",
    "1. Ask\n2. Listen\n3. Record\n\n> Never promise to keep a secret.\n",
    "Email referrals@connect.example or see https://notts.example/thresholds for more.",
    "<script>alert('x')</script> and <em>kept</em> and <img src=x onerror=alert(1)>",
    "\n".join(f"- Indicator {n}: concerns about **neglect** number {n}" for n in range(40)),
]
HTML = [
    "<p>Plain <strong>bold</strong> text</p>",
    '<a href="javascript:alert(1)">bad link</a> <a href="https://ok.example">good link</a>',
    "<ul><li>one<li>two</ul><p>unclosed <em>emphasis",
    "<table><tr><td>cell</td></tr></table><h2>Heading</h2><!-- comment -->",
    "<p>" + "Long paragraph about early help and the MASH. " * 120 + "</p>",
    "<blockquote><p>Quote with www.example.org inside</p></blockquote>",
]


def _run_together(render, inputs):
    """render(text) for every input, in shuffled order, ROUNDS times in each of THREADS threads at
    once; returns (mismatches, errors). The switch interval is lowered so threads interleave
    inside the parser, where a shared one breaks."""
    expected = {text: render(text) for text in inputs}
    start = threading.Barrier(THREADS)
    mismatches, errors = [], []

    def work(seed):
        order = list(inputs) * ROUNDS
        random.Random(seed).shuffle(order)  # noqa: S311 - an order, not a secret
        start.wait()
        for text in order:
            try:
                output = render(text)
            except Exception as error:  # noqa: BLE001 - collected and reported by the test
                errors.append(repr(error))
                continue
            if output != expected[text]:
                mismatches.append((text[:40], output[:80]))

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old_interval)
    return mismatches, errors


def test_clean_html_from_many_threads_matches_single_threaded_output():
    mismatches, errors = _run_together(clean_html, HTML + [render_markdown(m) for m in MARKDOWN])
    assert errors == [] and mismatches == []


def test_render_markdown_from_many_threads_matches_single_threaded_output():
    mismatches, errors = _run_together(render_markdown, MARKDOWN)
    assert errors == [] and mismatches == []


@pytest.fixture(scope="module")
def jinja_env():
    return create_app(TestingConfig).jinja_env


def test_rich_text_filter_from_many_threads_matches_single_threaded_output(jinja_env):
    template = jinja_env.from_string("<div hx-disable>{{ text | rich_text }}</div>")
    mismatches, errors = _run_together(lambda text: template.render(text=text), HTML + MARKDOWN)
    assert errors == [] and mismatches == []
