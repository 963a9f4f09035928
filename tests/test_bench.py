"""`make bench` compares each page with bare Flask run beside it (scripts/bench.py)."""

import pytest

from scripts.bench import Page, Result, check, combined


def _run(rate: float, p95: float = 50.0, seconds: float = 2.0, statuses=None) -> dict:
    requests = int(rate * seconds)
    return {
        "requests": requests,
        "seconds": seconds,
        "rate": requests / seconds,
        "p50": p95 / 2,
        "p95": p95,
        "p99": p95 * 1.5,
        "statuses": statuses or {"200": requests},
    }


def test_the_share_pairs_each_run_with_the_bare_flask_run_beside_it():
    # The machine slowed for the third run: bare Flask too. Paired, the page is 10% of bare Flask
    # in each of the first two runs and 5% in the third; not 200 of bare Flask's median 1,000 (20%).
    runs = [_run(100, p95=40), _run(300, p95=90), _run(200, p95=60)]
    hellos = [_run(1000), _run(3000), _run(4000)]
    measured = combined(runs, hellos)
    assert measured["share"] == pytest.approx(0.1)
    assert measured["hello_rate"] == pytest.approx(3000)
    assert measured["rate"] == pytest.approx(200)
    assert measured["requests"] == 1200
    assert measured["p95"] == 60, "the median of the runs' p95"
    assert measured["statuses"] == {"200": 1200}


def test_answers_are_added_up_over_the_runs_and_a_5xx_fails_the_page():
    runs = [_run(100, statuses={"200": 190, "500": 10}), _run(100, statuses={"200": 199, "409": 1})]
    measured = combined(runs, [_run(500), _run(500)])
    assert measured["statuses"] == {"200": 389, "500": 10, "409": 1}
    result = Result(Page("Some page", "/", "partner", expect_some=(409,)), **_fields(measured))
    check(result, {})
    assert result.problems == ["10 answers were 5xx"]


def test_a_page_under_its_share_of_bare_flask_misses_its_budget():
    measured = combined([_run(100)], [_run(1000)])
    result = Result(Page("Some page", "/", "partner"), **_fields(measured))
    check(result, {})
    assert result.problems == ["10% of bare Flask < 15%"]


def _fields(measured: dict) -> dict:
    keys = ("rate", "p50", "p95", "p99", "requests", "statuses", "hello_rate", "share")
    return {key: measured[key] for key in keys}
