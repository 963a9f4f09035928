"""`make bench`: the portal's key pages under load, against a bare Flask "hello" in the same run.

1. Builds a county-sized partnership (flask demo seed + flask demo scale) in a fresh database:
   SQLite in build/bench/ by default, or BENCH_DATABASE_URL (a PostgreSQL database it may empty).
2. Serves the portal and a bare Flask app the same way: gunicorn, WORKERS gthread workers with
   THREADS threads each, production settings.
3. Drives each page with wrk (CLIENTS connections for DURATION seconds, in ROUNDS runs each just
   after a run of bare Flask as long) as a signed-in user, and reports requests/s, p50/p95/p99
   latency, the share of the bare-Flask rate, response bytes, SQL statements per request
   (X-Query-Count) and any answer that was not 2xx/3xx.
4. Writes docs/PERFORMANCE.md (BENCH_REPORT to write elsewhere) and exits 1 if a page misses its
   budget or anything answered 5xx.

Compare ratios measured in the same run, never absolute rates across runs: this machine is shared.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
PASSWORD = "safeguarding-demo"  # noqa: S105 - the demo accounts' password (README)

WORKERS = int(os.environ.get("WORKERS", "2"))
THREADS = int(os.environ.get("THREADS", "4"))
CLIENTS = int(os.environ.get("CLIENTS", "16"))
DURATION = int(os.environ.get("DURATION", "10"))
# Each page in this many runs, each after bare Flask for as long: the shared machine's speed drifts
# within seconds, so a page is compared with bare Flask measured next to it, run by run.
ROUNDS = int(os.environ.get("ROUNDS", "5"))
# A pause before each run, so that its connections find the machine idle. Started straight after
# another run, while the last server was still finishing its answers, one gunicorn worker often woke
# first and took all 16 connections (keep-alive keeps them there): bare Flask then ran on one worker
# at a quarter of its rate (2,100-2,400 requests/s against 7,000-10,000), in 3 of 12 runs.
SETTLE_SECONDS = 0.5
# Each worker takes at most its share of the clients' connections and its threads' number more, so
# that both workers serve (a worker takes none beyond it) and every connection is kept alive (a
# gthread worker keeps alive at most worker_connections - threads; more are closed after an answer).
WORKER_CONNECTIONS = int(os.environ.get("WORKER_CONNECTIONS", -(-CLIENTS // WORKERS) + THREADS))
PORTAL_PORT, HELLO_PORT = 8701, 8702

# Budgets (issue "Performance at partnership scale").
P95_MS = 100
PAGE_SHARE = 0.15
FRAGMENT_SHARE = 0.30
FRAGMENT_BYTES_SHARE = 0.15
REPORT_SECONDS = 3.0  # the board report PDF, at county scale
PAGE_WEIGHT_KB = 150  # HTML + CSS + JS, compressed, for the heaviest page
LIGHTHOUSE_PHONE_PERFORMANCE = 98
LIGHTHOUSE = ROOT / "scripts" / "lighthouse"
LIGHTHOUSE_PAGES = (
    ("Home (partner)", "/", "partner"),
    ("Thresholds, current version", "/thresholds/pathway-to-provision", "partner"),
    ("Actions list", "/actions/?rag=red", "trust_member"),
    ("Partnership progress", "/progress/", "trust_member"),
    ("Return form", None, "agency_lead"),  # the path is found over HTTP (a_return_page)
    ("Have your say form", "/have-your-say", "anonymous"),
)


@dataclass
class Page:
    name: str
    path: str
    account: str
    fragment_of: str | None = None  # the full page's name, for an htmx fragment
    method: str = "GET"
    body: str = ""  # a Lua expression for POST bodies
    expect_some: tuple[int, ...] = ()  # 4xx answers this page may give by design (stale versions)


@dataclass
class Result:
    page: Page
    rate: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    gzip_bytes: int = 0
    queries: int = 0
    hello_rate: float = 0.0  # bare Flask measured beside this page (the median of its runs)
    share: float = 0.0  # of bare Flask's rate: the median of each run's ratio to the run before it
    problems: list[str] = field(default_factory=list)


def run(*args, env=None, **kwargs):
    return subprocess.run(args, check=True, env={**os.environ, **(env or {})}, cwd=ROOT, **kwargs)


# --- The data -------------------------------------------------------------------------------------


def prepare_database() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    BUILD.mkdir(parents=True, exist_ok=True)
    if url:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    else:
        for stale in BUILD.glob("portal.sqlite3*"):
            stale.unlink()
        url = f"sqlite:///{BUILD / 'portal.sqlite3'}"
    env = {"DATABASE_URL": url, "PORTAL_ENV": "development", "FLASK_APP": "wsgi"}
    flask = str(VENV_BIN / "flask")
    run(flask, "db", "upgrade", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run(flask, "demo", "seed", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    run(flask, "demo", "scale", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"Scaled data ready in {time.perf_counter() - started:.0f} s ({url.split('://')[0]}).")
    return url


# --- Serving ---------------------------------------------------------------------------------


def serve(app_spec: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS),
            "--worker-connections",
            str(WORKER_CONNECTIONS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz" if "wsgi" in app_spec else "/")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app_spec} did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


# --- Signing in -----------------------------------------------------------------------------


def _request(method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", PORTAL_PORT, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response, response.read()


def sign_in(email: str) -> dict:
    """The session cookie and CSRF token of a signed-in demo account, as request headers."""
    response, page = _request("GET", "/login")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    response, _ = _request("POST", "/login", headers, body)
    if response.status != 303:
        raise SystemExit(f"Could not sign in as {email}: {response.status}")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    response, home = _request("GET", "/", {"Cookie": cookie})
    if response.getheader("Set-Cookie"):  # the session now holds the CSRF token's secret
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'"X-CSRFToken": "([^"]+)"', home).group(1).decode()
    return {"Cookie": cookie, "X-CSRFToken": token}


def anonymous_session() -> dict:
    """A young person's browser: a session cookie holding the CSRF secret, and its token."""
    response, page = _request("GET", "/have-your-say")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    return {"Cookie": cookie, "X-CSRFToken": token}


# --- Driving a page with wrk ---------------------------------------------------------------

LUA = """
counts = {}
local threads = {}
wrk.method = "%(method)s"
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["X-CSRFToken"] = "%(token)s"
%(hx)s
if wrk.method == "POST" then
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1000000)) end
function request()
  if wrk.method == "POST" then
    return wrk.format(nil, %(path)s, nil, %(body)s)
  end
  return wrk.format(nil, %(path)s)
end
function response(status, headers, body)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format('"%%s": %%d', k, v)) end
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, "statuses": {%%s}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, table.concat(parts, ", ")))
end
"""


def wrk(
    port: int, page: Page | None, headers: dict | None, seconds: int = DURATION, clients: int = CLIENTS
) -> dict:
    path = page.path if page else "/"
    lua = LUA % {
        "method": page.method if page else "GET",
        "cookie": (headers or {}).get("Cookie", ""),
        "token": (headers or {}).get("X-CSRFToken", ""),
        "hx": 'wrk.headers["HX-Request"] = "true"' if page and page.fragment_of else "",
        "path": path if path.startswith("(") else json.dumps(path),
        "body": page.body if page and page.body else '""',
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        output = subprocess.run(
            [
                "wrk",
                "--threads",
                "2",
                "--connections",
                str(clients),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                script.name,
                f"http://127.0.0.1:{port}/",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as failure:
        raise SystemExit(f"wrk failed: {failure.stderr or failure.stdout}") from None
    finally:
        os.unlink(script.name)
    output = output.stdout
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    result["rate"] = result["requests"] / result["seconds"]
    return result


def measure_beside_hello(page: Page, headers: dict) -> dict:
    """The page in ROUNDS runs of DURATION/ROUNDS seconds, each just after bare Flask for as long.
    This machine is shared and its speed drifts within seconds (bare Flask has run at 2,000 and at
    9,000 requests/s a minute apart): one figure for bare Flask before a 10 s run compared the page
    with the machine as it was some seconds earlier, and a page passed or failed by chance."""
    seconds = max(1, round(DURATION / ROUNDS))
    runs, hellos = [], []
    for _ in range(ROUNDS):
        time.sleep(SETTLE_SECONDS)
        hellos.append(wrk(HELLO_PORT, None, None, seconds=seconds))
        time.sleep(SETTLE_SECONDS)
        runs.append(wrk(PORTAL_PORT, page, headers, seconds=seconds))
    return combined(runs, hellos)


def combined(runs: list[dict], hellos: list[dict]) -> dict:
    """The page's runs as one: its rate over all of them, each latency the median of the runs'
    (a percentile cannot be summed), its answers added up; bare Flask's median rate, and the share
    as the median of each run's ratio to the bare Flask run just before it."""
    statuses: dict[str, int] = {}
    for run in runs:
        for status, n in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    requests = sum(run["requests"] for run in runs)
    return {
        "requests": requests,
        "rate": requests / sum(run["seconds"] for run in runs),
        **{key: statistics.median(run[key] for run in runs) for key in ("p50", "p95", "p99")},
        "statuses": statuses,
        "hello_rate": statistics.median(hello["rate"] for hello in hellos),
        "share": statistics.median(
            run["rate"] / hello["rate"] for run, hello in zip(runs, hellos, strict=True)
        ),
    }


def measure_once(page: Page, headers: dict) -> tuple[int, int, int]:
    """Bytes (plain and gzip) and SQL statements of one request for the page."""
    request_headers = dict(headers)
    if page.fragment_of:
        request_headers["HX-Request"] = "true"
    if page.method == "POST":
        return 0, 0, 0
    response, body = _request("GET", page.path, request_headers)
    return len(body), len(gzip.compress(body)), int(response.getheader("X-Query-Count", "0"))


def board_report_seconds(headers: dict, exceptions_listed: int | None = None) -> float:
    """The slowest of three board report PDFs for the whole partnership (POST /progress/report), as
    the form sends it unchanged (the 50 most urgent exceptions) or listing `exceptions_listed`."""
    times = []
    fields = {"recommendations": "Agree the revised dates for P06."}
    if exceptions_listed:
        fields["exceptions_listed"] = str(exceptions_listed)
    for _ in range(3):
        body = urllib.parse.urlencode(fields)
        request_headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        response, pdf = _request("POST", "/progress/report", request_headers, body)
        times.append(time.perf_counter() - started)
        if response.status != 200 or not pdf.startswith(b"%PDF"):
            raise SystemExit(f"The board report did not download: {response.status}")
    return max(times)


def page_weight(path: str, headers: dict) -> tuple[int, int]:
    """(HTML, HTML + its CSS and JavaScript), in bytes as a browser that accepts gzip receives
    them: the page compressed here, the assets as WhiteNoise serves them (pre-compressed)."""
    _, html = _request("GET", path, headers)
    total = len(gzip.compress(html))
    for asset in sorted(set(re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html))):
        response, body = _request("GET", asset.decode(), {"Accept-Encoding": "gzip"})
        total += len(body)
    return len(gzip.compress(html)), total


def lighthouse(path: str, headers: dict, form_factor: str) -> dict[str, int] | None:
    """Lighthouse's four scores for one page (mobile or desktop), or None if it cannot run here."""
    binary = LIGHTHOUSE / "node_modules" / ".bin" / "lighthouse"
    chromium = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    if not binary.exists() or not Path(chromium).exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        extra = json.dumps({"Cookie": headers["Cookie"]}) if "Cookie" in headers else "{}"
        args = [
            str(binary),
            f"http://127.0.0.1:{PORTAL_PORT}{path}",
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility,best-practices,seo",
            f"--extra-headers={extra}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ]
        if form_factor == "desktop":
            args.append("--preset=desktop")
        for attempt in (1, 2):  # Lighthouse now and then fails to record a trace (NO_NAVSTART)
            result = subprocess.run(
                args, env={**os.environ, "CHROME_PATH": chromium}, capture_output=True, timeout=180
            )
            if result.returncode == 0 and out.exists():
                break
            print(f"  Lighthouse failed on {path} ({attempt}): {result.stderr.decode()[-300:]}", flush=True)
        else:
            return None
        categories = json.loads(out.read_text())["categories"]
        return {key: round((value["score"] or 0) * 100) for key, value in categories.items()}


# --- The pages -------------------------------------------------------------------------------

ACCOUNTS = {
    "partner": "police@demo.test",
    "agency_lead": "police.lead@demo.test",
    "trust_member": "trust@demo.test",
    "programme_manager": "pm@demo.test",
    "participation_lead": "participation@demo.test",
    "admin": "admin@demo.test",
}

# Progress updates go to random scaled actions, each loaded at version 1: the first update of an
# action is saved (303), a later one to the same action is a stale form (409), by design.
UPDATE_BODY = (
    # A reason goes with every update: an action whose RAG is not green needs one to turn green.
    '"lock_version=1&note=Checked+against+the+plan&rag=green&percent_complete=50&status=in_progress'
    "&rag_reason=Back+on+track+after+the+March+review"
    '&submission_token=" .. string.format("%08x%08x%08x", math.random(0, 0x7fffffff), '
    "math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))"
)


FEEDBACK_BODY = (
    '"about=other&what_is_good=The+youth+club&what_should_change=More+buses+home+at+night'
    '&submission_token=" .. string.format("%08x%08x%08x", math.random(0, 0x7fffffff), '
    "math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))"
)


_RETURN_PAGE: list[str] = []


def a_return_page() -> str:
    """The police lead's current return (a draft in the demo: its form), found once over HTTP, as
    its id depends on the seed."""
    if not _RETURN_PAGE:
        _, body = _request("GET", "/returns/", sign_in(ACCOUNTS["agency_lead"]))
        found = re.search(rb'href="(/returns/\d+)"', body)
        _RETURN_PAGE.append(found.group(1).decode() if found else "/returns/")
    return _RETURN_PAGE[0]


def pages() -> list[Page]:
    listed = [Page(f"Home ({role.replace('_', ' ')})", "/", role) for role in ACCOUNTS]
    return listed + [
        Page("Thresholds, current version", "/thresholds/pathway-to-provision", "partner"),
        Page(
            "Thresholds search (fragment)", "/thresholds/?q=neglect", "partner", fragment_of="Thresholds list"
        ),
        Page("Thresholds list", "/thresholds/?q=neglect", "partner"),
        Page("Actions list", "/actions/?rag=red", "trust_member"),
        Page("Actions filtered (fragment)", "/actions/?rag=red", "trust_member", fragment_of="Actions list"),
        Page("Programme", "/programme/", "trust_member"),
        Page("Add an action (form)", "/actions/new", "programme_manager"),
        Page("Feedback triage queue", "/feedback/", "participation_lead"),
        Page("Partnership progress", "/progress/", "trust_member"),
        Page(
            "Progress filtered (fragment)",
            "/progress/?kind=school",
            "trust_member",
            fragment_of="Partnership progress",
        ),
        Page("Returns, partnership view", "/returns/", "trust_member"),
        Page(
            "Returns filtered (fragment)",
            "/returns/?status=submitted",
            "trust_member",
            fragment_of="Returns, partnership view",
        ),
        Page("Return form", a_return_page(), "agency_lead"),
        Page("Inspection readiness", "/inspection/", "programme_manager"),
        Page("Inspection timetable", "/inspection/schedule/", "programme_manager"),
        Page("Audit trail", "/admin/audit/", "admin"),
        Page("Have your say form", "/have-your-say", "anonymous"),
        Page(
            "Have your say (POST)",
            "/have-your-say",
            "anonymous",
            method="POST",
            body=FEEDBACK_BODY,
        ),
        Page(
            "Action update (POST)",
            '("/actions/" .. math.random(100, 5000) .. "/update")',
            "programme_manager",
            method="POST",
            body=UPDATE_BODY,
            expect_some=(409, 404),
        ),
    ]


# --- Running ---------------------------------------------------------------------------------


def check(result: Result, full_pages: dict[str, Result]) -> None:
    page = result.page
    share = result.share
    if result.p95 > P95_MS:
        result.problems.append(f"p95 {result.p95:.0f} ms > {P95_MS} ms")
    floor = FRAGMENT_SHARE if page.fragment_of else PAGE_SHARE
    if share < floor:
        result.problems.append(f"{share:.0%} of bare Flask < {floor:.0%}")
    if page.fragment_of and page.fragment_of in full_pages:
        full = full_pages[page.fragment_of]
        if full.bytes and result.bytes > FRAGMENT_BYTES_SHARE * full.bytes:
            result.problems.append(f"fragment is {result.bytes / full.bytes:.0%} of the page's bytes")
    server_errors = sum(n for s, n in result.statuses.items() if s.startswith("5"))
    if server_errors:
        result.problems.append(f"{server_errors} answers were 5xx")
    unexpected = sum(
        n
        for s, n in result.statuses.items()
        if not s.startswith(("2", "3", "5")) and int(s) not in page.expect_some
    )
    if unexpected:
        result.problems.append(f"{unexpected} unexpected 4xx answers")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {system}"


def report(results: list[Result], hello: dict, database: str, mixed: dict | None) -> str:
    lines = [
        f"## {database} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {machine()}. gunicorn {WORKERS} gthread workers × {THREADS} threads, at most "
        f"{WORKER_CONNECTIONS} connections each; wrk, "
        f'{CLIENTS} connections, {DURATION} s per page. Bare Flask "hello" at the start: '
        f"{hello['rate']:.0f} requests/s, p95 {hello['p95']:.1f} ms. Each page runs in {ROUNDS} parts, each "
        "just after bare Flask for as long: its share of bare Flask is the median of the parts' ratios, "
        "next to bare Flask's median rate (this machine is shared, and its speed drifts within seconds); "
        "its latencies are the median of the parts'.",
        "",
        "| page | req/s | share of bare Flask (its req/s) | p50 ms | p95 ms | p99 ms | bytes (gzip) | SQL "
        "| answers | budget |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        answers = ", ".join(f"{n}×{s}" for s, n in sorted(r.statuses.items()))
        weight = f"{r.bytes:,} ({r.gzip_bytes:,})" if r.bytes else "—"
        verdict = "ok" if not r.problems else "; ".join(r.problems)
        lines.append(
            f"| {r.page.name} | {r.rate:.0f} | {r.share:.0%} of "
            f"{r.hello_rate:.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} | {weight} | "
            f"{r.queries if r.bytes else '—'} | {answers} | {verdict} |"
        )
    if mixed:
        lines += [
            "",
            f"Mixed run (the actions list read by {CLIENTS // 2 or 1} clients while {CLIENTS // 2 or 1} "
            "others post progress updates, at the same time): "
            f"reads {mixed['read']['rate']:.0f}/s p95 {mixed['read']['p95']:.1f} ms, writes "
            f"{mixed['write']['rate']:.0f}/s p95 {mixed['write']['p95']:.1f} ms; answers "
            f"{mixed['read']['statuses']} and {mixed['write']['statuses']}.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    database = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    url = prepare_database()
    env = {
        "DATABASE_URL": url,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "PORTAL_COUNT_QUERIES": "1",
        # One address sends every request here: the per-address limits would measure only 429s.
        "FEEDBACK_RATE_LIMIT": "1000000 per minute",
        "SIGN_IN_RATE_LIMIT": "1000000 per minute",
        # The benchmark signs in with the demo passwords (no authenticator app).
        "MFA_REQUIRED_ROLES": "",
    }
    hello_server = serve("scripts.bench_hello:app", HELLO_PORT, {})
    portal = serve("wsgi:app", PORTAL_PORT, env)
    try:
        headers = {role: sign_in(email) for role, email in ACCOUNTS.items()}
        headers["anonymous"] = anonymous_session()
        wrk(HELLO_PORT, None, None, seconds=2)  # warm up
        hello = wrk(HELLO_PORT, None, None)
        results: list[Result] = []
        full_pages: dict[str, Result] = {}
        for page in pages():
            account = headers[page.account]
            if page.method == "GET":
                wrk(PORTAL_PORT, page, account, seconds=2)  # warm up
            measured = measure_beside_hello(page, account)
            result = Result(
                page,
                rate=measured["rate"],
                p50=measured["p50"],
                p95=measured["p95"],
                p99=measured["p99"],
                requests=measured["requests"],
                statuses=measured["statuses"],
                hello_rate=measured["hello_rate"],
                share=measured["share"],
            )
            result.bytes, result.gzip_bytes, result.queries = measure_once(page, account)
            if not page.fragment_of:
                full_pages[page.name] = result
            results.append(result)
            print(f"  {page.name}: {result.rate:.0f}/s p95 {result.p95:.1f} ms {result.statuses}", flush=True)
        mixed = mixed_run(headers)
        extras = measure_extras(headers)
        for result in results:
            check(result, full_pages)
        for side in mixed.values():
            if any(s.startswith("5") for s in side["statuses"]):
                results[-1].problems.append("5xx in the mixed read/write run")
    finally:
        stop(portal)
        stop(hello_server)
    text = report(results, hello, database, mixed) + report_extras(extras)
    write_report(text, database)
    print(text)
    failed = [r for r in results if r.problems]
    if failed or extras["problems"]:
        print(
            f"{len(failed)} of {len(results)} pages missed their budget; "
            f"{len(extras['problems'])} other budgets missed."
        )
        return 1
    print("Every page met its budget.")
    return 0


def measure_extras(headers: dict) -> dict:
    """The board report's time, the heaviest page's weight and Lighthouse's scores, with budgets."""
    problems = []
    seconds = board_report_seconds(headers["trust_member"])
    longest = board_report_seconds(headers["trust_member"], exceptions_listed=200)
    print(f"  Board report PDF: {seconds:.2f} s (listing 200 exceptions: {longest:.2f} s)", flush=True)
    if seconds > REPORT_SECONDS:
        problems.append(f"board report PDF took {seconds:.1f} s > {REPORT_SECONDS:.0f} s")
    weights = {}
    scores = {}
    for name, path, account in LIGHTHOUSE_PAGES:
        path = path or a_return_page()
        weights[name] = page_weight(path, headers[account])
        for form_factor in ("mobile", "desktop"):
            scores[(name, form_factor)] = lighthouse(path, headers[account], form_factor)
            print(f"  Lighthouse {name} ({form_factor}): {scores[(name, form_factor)]}", flush=True)
    heaviest = max(weights.items(), key=lambda item: item[1][1])
    if heaviest[1][1] > PAGE_WEIGHT_KB * 1024:
        problems.append(f"{heaviest[0]} weighs {heaviest[1][1] / 1024:.0f} KB > {PAGE_WEIGHT_KB} KB")
    for (name, form_factor), found in scores.items():
        if found and form_factor == "mobile" and found["performance"] < LIGHTHOUSE_PHONE_PERFORMANCE:
            problems.append(f"Lighthouse performance on a phone {found['performance']} < 98: {name}")
    if not any(scores.values()):
        problems.append("Lighthouse did not run (scripts/lighthouse: npm ci; Chromium at CHROME_PATH)")
    return {
        "report_seconds": seconds,
        "longest_report_seconds": longest,
        "weights": weights,
        "scores": scores,
        "problems": problems,
    }


def report_extras(extras: dict) -> str:
    lines = [
        "",
        f"Board report PDF (whole partnership, the form as it comes: the 50 most urgent exceptions): "
        f"{extras['report_seconds']:.2f} s, the slowest of three (budget {REPORT_SECONDS:.0f} s). "
        f"Listing 200 exceptions, the most the author may choose: {extras['longest_report_seconds']:.2f} s.",
        "",
        "| page | HTML (gzip) | with its CSS and JS (compressed) "
        "| Lighthouse phone: perf / a11y / best / SEO | Lighthouse desktop |",
        "|---|---|---|---|---|",
    ]
    for name, (html, total) in extras["weights"].items():
        cells = []
        for form_factor in ("mobile", "desktop"):
            found = extras["scores"].get((name, form_factor))
            cells.append(
                " / ".join(str(found[k]) for k in ("performance", "accessibility", "best-practices", "seo"))
                if found
                else "not run"
            )
        lines.append(f"| {name} | {html / 1024:.1f} KB | {total / 1024:.1f} KB | {cells[0]} | {cells[1]} |")
    lines += [
        "",
        "Other budgets: " + ("; ".join(extras["problems"]) if extras["problems"] else "all met") + ".",
    ]
    return "\n".join(lines) + "\n"


def mixed_run(headers: dict) -> dict:
    """Reads and writes at the same time: two wrk processes against one server, half the clients
    each (the workers take CLIENTS connections in all)."""
    read_page = Page("Actions list", "/actions/?rag=red", "trust_member")
    write_page = next(p for p in pages() if p.name == "Action update (POST)")
    with tempfile.TemporaryDirectory():
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            half = max(1, CLIENTS // 2)
            read = pool.submit(wrk, PORTAL_PORT, read_page, headers["trust_member"], clients=half)
            write = pool.submit(wrk, PORTAL_PORT, write_page, headers["programme_manager"], clients=half)
            return {"read": read.result(), "write": write.result()}


def write_report(text: str, database: str) -> None:
    path = Path(os.environ.get("BENCH_REPORT", ROOT / "docs" / "PERFORMANCE.md"))
    header = (
        "# Performance\n\nWritten by `make bench` (scripts/bench.py): the key pages on county-scale data "
        "(`flask demo scale`: 500 agencies, 5,000 staff, 5,000 actions, 50,000 updates, 4,000 returns, "
        "100,000 young people's messages, 200,000 audit events), under gunicorn, "
        "driven by wrk, each against a bare Flask app served the same way in the same run. Budgets: p95 "
        f"under {P95_MS} ms; at least {PAGE_SHARE:.0%} of the bare-Flask rate ({FRAGMENT_SHARE:.0%} for "
        f"htmx fragments); a fragment under {FRAGMENT_BYTES_SHARE:.0%} of its page's bytes; no 5xx. "
        "SQL statements per page are also asserted by the test suite (tests/test_query_counts.py).\n\n"
    )
    sections = {}
    if path.exists():
        for block in re.split(r"(?m)^(?=## )", path.read_text()):
            if block.startswith("## "):
                sections[block.split(" — ", 1)[0][3:].strip()] = block
    sections[database] = text
    # Each database's latest run first, then the notes written by hand, in the order they are in.
    runs = [name for name in ("PostgreSQL", "SQLite") if name in sections]
    notes = [name for name in sections if name not in runs]
    path.write_text(header + "\n".join(sections[k].rstrip() + "\n" for k in runs + notes))


if __name__ == "__main__":
    sys.exit(main())
