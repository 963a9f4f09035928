"""Mutation testing for the portal's rules: break one guarded line at a time and run its tests.

Every rule in a service should have a test that fails when the rule is removed. This script checks
that by making one small change ("mutant") at a time to the files that hold the rules, running the
feature's tests against it, and counting the mutants no test noticed ("survivors").

Guarded lines, and what each mutant does to them:

- a `raise`                        -> replaced by `pass`
- a permission check `X.require(...)`  -> replaced by `pass`
- an optimistic-lock `claim(...)`  -> replaced by `pass`
- an `if` (and `elif`)             -> its condition replaced by `False`; an `if` whose body is a
                                      single `raise` is covered by the raise's mutant instead
- an `if` whose condition is `a and b` / `a or b`  -> each part dropped in turn
- in a permission module, each role's grant in a grants dict -> removed
- each `only("...", lambda user, record: ...)` grant          -> the lambda answers True

The mutants run in throwaway copies of the project, never in this working tree, so an interrupted
run cannot leave a mutated file behind. Tests run on SQLite only, stop at the first failure, and
run the feature's direct service tests first (they kill most mutants within seconds). The snapshot
test of docs/PERMISSIONS.md is left out: a removed grant must be caught by a test of behaviour,
not by a table that happens to print it.

    make mutation                                  # every target; updates docs/MUTATION.md
    .venv/bin/python scripts/mutate.py --list      # the mutants, without running anything
    .venv/bin/python scripts/mutate.py app/actions/services.py   # one file (docs untouched)

Exit status: 0 when every mutant was killed, 1 when any survived, 2 when the tests fail even
without a mutant (nothing can be measured then).
"""

from __future__ import annotations

import argparse
import ast
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "MUTATION.md"

# The files that hold the rules: services, permission modules, the lock and the one-time tokens.
TARGET_PATTERNS = ["app/*/services.py", "app/*/permissions.py", "app/permissions.py", "app/locking.py"]
TARGET_PATTERNS += ["app/submissions.py"]

# Which tests can kill a mutant of each file, fastest first (pytest runs each test once).
TESTS_FOR = {
    "app/actions/": [
        "tests/actions/test_services.py",
        "tests/actions/test_permissions.py",
        "tests/actions",
        "tests/test_permissions.py",
    ],
    "app/admin/": ["tests/admin/test_services.py", "tests/admin", "tests/test_permissions.py"],
    "app/audit/": ["tests/audit/test_services.py", "tests/audit"],
    "app/auth/": [
        "tests/auth/test_services.py",
        "tests/auth/test_permissions.py",
        "tests/auth",
        "tests/admin/test_services.py",
        "tests/test_permissions.py",
        "tests/home",
    ],
    "app/programme/": ["tests/programme/test_services.py", "tests/programme", "tests/test_permissions.py"],
    "app/thresholds/": [
        "tests/thresholds/test_services.py",
        "tests/thresholds",
        "tests/test_permissions.py",
    ],
    "app/locking.py": [
        "tests/test_locking.py",
        "tests/actions/test_services.py",
        "tests/admin/test_services.py",
        "tests/actions",
        "tests/admin",
        "tests/programme",
        "tests/thresholds",
    ],
    "app/submissions.py": ["tests/test_submissions.py", "tests/actions"],
    "app/permissions.py": ["tests/test_permission_rules.py", "tests/test_permissions.py"],
}
LEFT_OUT = ["tests/test_permissions.py::test_the_permission_table_in_docs_is_printed_from_the_code"]

COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "build",
    "instance",
    "screenshots",
    "__pycache__",
    ".*_cache",
    "*.sqlite3",
)
TIMEOUT_SECONDS = 20 * 60


# --- Finding the mutants ---------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the project, e.g. app/actions/services.py
    line: int
    kind: str
    code: str  # the original line, as the report shows it
    source: str = field(repr=False)  # the whole mutated file


class Editor:
    """Replaces the source text of AST nodes. AST columns count UTF-8 bytes, so work in bytes."""

    def __init__(self, text: str):
        self.data = text.encode()
        self.line_starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def replace(self, start: int, end: int, text: str) -> str:
        return (self.data[:start] + text.encode() + self.data[end:]).decode()


def _call_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _is_grants_dict(node: ast.AST) -> bool:
    """{Role.PARTNER: OWN_AGENCY, **OTHER.grants, ...}: every key a role, or a ** spread."""
    return (
        isinstance(node, ast.Dict)
        and bool(node.keys)
        and all(
            key is None
            or (isinstance(key, ast.Attribute) and isinstance(key.value, ast.Name) and key.value.id == "Role")
            for key in node.keys
        )
    )


def _drop_entry(editor: Editor, key: ast.AST | None, value: ast.AST) -> str:
    start, end = editor.span(value)
    if key is None:  # a ** spread: take the ** with it
        start = editor.data.rindex(b"**", 0, start)
    else:
        start = editor.span(key)[0]
    following = re.match(rb"\s*,[ \t]*", editor.data[end:])
    if following:
        end += following.end()
    return editor.replace(start, end, "")


# What each finder yields: (node the mutant is about, kind of mutant, the whole mutated source).
Found = tuple[ast.AST, str, str]
DELETED_CALLS = {"require": "permission check deleted", "claim": "lock claim deleted"}


def _deletions(node: ast.AST, editor: Editor) -> Iterator[Found]:
    """A raise, a permission check or a lock claim becomes `pass`."""
    if isinstance(node, ast.Raise):
        yield node, "raise deleted", editor.replace(*editor.span(node), "pass")
    elif isinstance(node, ast.Expr) and _call_name(node.value) in DELETED_CALLS:
        yield node, DELETED_CALLS[_call_name(node.value)], editor.replace(*editor.span(node), "pass")


def _conditions(node: ast.AST, editor: Editor) -> Iterator[Found]:
    """An if is never taken; each part of an `and`/`or` condition is dropped in turn. An if whose
    body is one raise is left to that raise's own mutant, which amounts to the same."""
    if not isinstance(node, ast.If):
        return
    test = node.test
    if not (len(node.body) == 1 and isinstance(node.body[0], ast.Raise)):
        yield test, "branch never taken", editor.replace(*editor.span(test), "False")
    if isinstance(test, ast.BoolOp):
        joiner = " and " if isinstance(test.op, ast.And) else " or "
        for dropped in test.values:
            rest = joiner.join(ast.unparse(v) for v in test.values if v is not dropped)
            yield (
                test,
                f"condition part dropped: {ast.unparse(dropped)}",
                editor.replace(*editor.span(test), f"({rest})"),
            )


def _grants(node: ast.AST, editor: Editor) -> Iterator[Found]:
    """Each role's entry in a grants dict is removed; each only(...) lambda answers True."""
    if _is_grants_dict(node):
        for key, value in zip(node.keys, node.values, strict=True):
            label = ast.unparse(key) if key is not None else "**" + ast.unparse(value)
            yield value if key is None else key, f"grant removed: {label}", _drop_entry(editor, key, value)
    elif _call_name(node) == "only" and len(node.args) == 2 and isinstance(node.args[1], ast.Lambda):
        body = node.args[1].body
        yield body, "record condition dropped (always true)", editor.replace(*editor.span(body), "True")


def find_mutants(path: Path) -> list[Mutant]:
    text = path.read_text()
    tree = ast.parse(text)
    editor = Editor(text)
    relative = path.relative_to(ROOT).as_posix()
    finders = [_deletions, _conditions] + ([_grants] if path.name == "permissions.py" else [])
    found = [found for node in ast.walk(tree) for finder in finders for found in finder(node, editor)]
    found.sort(key=lambda f: (f[0].lineno, f[0].col_offset, f[1]))

    original, lines = ast.dump(tree), text.splitlines()
    mutants, seen = [], set()
    for node, kind, source in found:
        try:
            mutated = ast.dump(ast.parse(source))
        except SyntaxError as error:  # a bug in this script, not in the code under test
            raise SystemExit(
                f"{relative}:{node.lineno}: the '{kind}' mutant does not parse: {error}"
            ) from None
        if mutated != original and source not in seen:
            seen.add(source)
            mutants.append(Mutant(relative, node.lineno, kind, lines[node.lineno - 1].strip(), source))
    return mutants


def targets() -> list[Path]:
    paths = {p for pattern in TARGET_PATTERNS for p in ROOT.glob(pattern)}
    return sorted(paths)


def tests_for(relative: str, root: Path = ROOT) -> list[str]:
    """The test files for a target, in the order of TESTS_FOR. A folder stands for its test files:
    pytest would otherwise run a folder's files in its own order, whatever order they were named in."""
    for prefix, entries in TESTS_FOR.items():
        if relative.startswith(prefix):
            files: list[str] = []
            for entry in entries:
                path = root / entry
                found = sorted(path.rglob("test_*.py")) if path.is_dir() else [path] if path.exists() else []
                files += [f.relative_to(root).as_posix() for f in found]
            if not files:
                raise SystemExit(f"None of the tests mapped to {relative} exist: {entries}")
            return list(dict.fromkeys(files))
    raise SystemExit(f"No tests are mapped to {relative}: add it to TESTS_FOR in scripts/mutate.py.")


# --- Running them ----------------------------------------------------------------------------


@dataclass
class Result:
    mutant: Mutant
    outcome: str  # killed, survived, timed out (counts as killed), error
    seconds: float
    killed_by: str = ""
    output: str = ""


def _test_env() -> dict[str, str]:
    env = dict(os.environ)
    # SQLite only, fast; CI=true without TEST_DATABASE_URL would make the suite refuse to start.
    for name in ("TEST_DATABASE_URL", "CI", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # every run compiles the (mutated) source afresh
    return env


class Workspace:
    """A throwaway copy of the project: mutants are written there, never in the working tree."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="portal-mutation-"))
        shutil.copytree(ROOT, self.root, ignore=COPY_IGNORE, dirs_exist_ok=True)
        self.process: subprocess.Popen | None = None

    def pytest(self, tests: list[str]) -> tuple[int, str]:
        command = [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider"]
        command += ["--ignore=tests/browser", *(f"--deselect={t}" for t in LEFT_OUT)]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=self.root,
            env=_test_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so Ctrl-C reaches us once, and we stop it ourselves
        )
        try:
            output, _ = self.process.communicate(timeout=TIMEOUT_SECONDS)
            return self.process.returncode, output
        except subprocess.TimeoutExpired:
            self.stop()
            return -1, "timed out"
        finally:
            self.process = None

    def run(self, mutant: Mutant) -> Result:
        target = self.root / mutant.path
        original = target.read_text()
        started = time.monotonic()
        try:
            target.write_text(mutant.source)
            code, output = self.pytest(tests_for(mutant.path, self.root))
        finally:
            target.write_text(original)
        seconds = time.monotonic() - started
        if code == 0:
            return Result(mutant, "survived", seconds)
        if code in (1, 2):  # a test failed, or the mutant broke collection (an import error)
            failed = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
            return Result(mutant, "killed", seconds, killed_by=failed.group(1) if failed else "collection")
        if code == -1:
            return Result(mutant, "timed out", seconds, killed_by="timeout")
        return Result(mutant, "error", seconds, output=output[-3000:])

    def stop(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def baseline(workspace: Workspace, test_sets: list[list[str]]) -> None:
    """The tests must pass without a mutant, or every mutant would look killed."""
    for tests in test_sets:
        code, output = workspace.pytest(tests)
        if code != 0:
            print(output[-3000:])
            print(f"\nThe tests fail without any mutant ({' '.join(tests)}): fix them first.")
            raise SystemExit(2)


MARKS = {"killed": "killed  ", "timed out": "timeout ", "survived": "SURVIVED", "error": "ERROR   "}


class Pool:
    """`jobs` workspaces, each taking the next mutant from a shared queue until none is left."""

    def __init__(self, mutants: list[Mutant], jobs: int):
        self.mutants = mutants
        self.work: queue.Queue[Mutant] = queue.Queue()
        for mutant in mutants:
            self.work.put(mutant)
        self.results: list[Result] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.workspaces = [Workspace() for _ in range(max(1, min(jobs, len(mutants))))]

    def worker(self, workspace: Workspace) -> None:
        while not self.stopping.is_set():
            try:
                mutant = self.work.get_nowait()
            except queue.Empty:
                return
            result = workspace.run(mutant)
            if self.stopping.is_set():
                return
            with self.lock:
                self.results.append(result)
                print(
                    f"[{len(self.results):3}/{len(self.mutants)}] {MARKS[result.outcome]} "
                    f"{mutant.path}:{mutant.line} {mutant.kind} ({result.seconds:.0f}s) {result.killed_by}",
                    flush=True,
                )

    def run(self) -> list[Result]:
        threads = [threading.Thread(target=self.worker, args=(ws,), daemon=True) for ws in self.workspaces]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():  # a short join, so Ctrl-C is noticed at once
                thread.join(timeout=0.5)
        order = {m: i for i, m in enumerate(self.mutants)}
        return sorted(self.results, key=lambda r: order[r.mutant])

    def close(self) -> None:
        self.stopping.set()
        for workspace in self.workspaces:
            workspace.stop()
            workspace.remove()


def run_all(mutants: list[Mutant], jobs: int) -> list[Result]:
    pool = Pool(mutants, jobs)
    try:
        first = pool.workspaces[0]
        baseline(first, [list(t) for t in sorted({tuple(tests_for(m.path, first.root)) for m in mutants})])
        return pool.run()
    except KeyboardInterrupt:
        print("\nInterrupted: the running tests are stopped. The working tree was never changed.")
        raise SystemExit(130) from None
    finally:
        pool.close()


# --- Reporting -------------------------------------------------------------------------------


def _score(results: list[Result]) -> str:
    killed = sum(r.outcome in ("killed", "timed out") for r in results)
    return f"{killed}/{len(results)} killed ({100 * killed / len(results):.1f}%)" if results else "no mutants"


def summary_rows(results: list[Result]) -> list[tuple[str, int, int, int]]:
    rows = []
    for path in sorted({r.mutant.path for r in results}):
        mine = [r for r in results if r.mutant.path == path]
        lines = len({r.mutant.line for r in mine})
        killed = sum(r.outcome in ("killed", "timed out") for r in mine)
        rows.append((path, lines, len(mine), killed))
    return rows


def print_table(results: list[Result]) -> None:
    print(f"\n{'file':36} {'lines':>5} {'mutants':>7} {'killed':>6} {'survived':>8}")
    for path, lines, count, killed in summary_rows(results):
        print(f"{path:36} {lines:5} {count:7} {killed:6} {count - killed:8}")
    print(f"\nScore: {_score(results)}")
    for result in results:
        if result.outcome in ("survived", "error"):
            m = result.mutant
            print(f"  {result.outcome.upper()}: {m.path}:{m.line} {m.kind}: {m.code}")
            if result.output:
                print(result.output)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


BEGIN, END = "<!-- mutate.py: results -->", "<!-- mutate.py: end of results -->"


def render_results(results: list[Result], run_on: date) -> str:
    """The generated part of docs/MUTATION.md; the prose around it is written by hand."""
    survivors = [r for r in results if r.outcome not in ("killed", "timed out")]
    out = [
        f"Last run: {run_on.isoformat()}.",
        "",
        f"**Score: {_score(results)}.**",
        "",
        "| file | guarded lines | mutants | killed | survived |",
        "|---|---:|---:|---:|---:|",
    ]
    for path, lines, count, killed in summary_rows(results):
        out.append(f"| `{path}` | {lines} | {count} | {killed} | {count - killed} |")
    out += ["", "### Survivors", ""]
    if survivors:
        out += [f"- `{r.mutant.path}:{r.mutant.line}` {r.mutant.kind}: `{r.mutant.code}`" for r in survivors]
    else:
        out.append("None.")
    out += ["", "### Every mutant, and the first test that failed", ""]
    for path in sorted({r.mutant.path for r in results}):
        out += [f"#### `{path}`", "", "| line | mutant | code | killed by |", "|---:|---|---|---|"]
        for r in (r for r in results if r.mutant.path == path):
            by = r.killed_by or r.outcome.upper()
            out.append(
                f"| {r.mutant.line} | {_cell(r.mutant.kind)} | `{_cell(r.mutant.code)}` | {_cell(by)} |"
            )
        out.append("")
    return "\n".join(out)


def write_docs(results: list[Result]) -> None:
    """Replace the results between the markers in docs/MUTATION.md, but only when something other
    than the date changed, so a run on unchanged code leaves `git status` clean."""
    text = DOCS.read_text() if DOCS.exists() else f"# Mutation testing\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOCS.relative_to(ROOT)} has lost its {BEGIN} / {END} markers.")
    head, rest = text.split(BEGIN, 1)
    old, tail = rest.split(END, 1)
    new = "\n" + render_results(results, date.today()) + "\n"
    undated = re.compile(r"^Last run: .*$", re.MULTILINE)
    if undated.sub("", old) == undated.sub("", new):
        print(f"\n{DOCS.relative_to(ROOT)} is up to date.")
        return
    DOCS.write_text(head + BEGIN + new + END + tail)
    print(f"\nWrote the results into {DOCS.relative_to(ROOT)}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "files", nargs="*", help="only these target files (docs/MUTATION.md is then left alone)"
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="copies run at once")
    args = parser.parse_args()

    chosen = targets()
    if args.files:
        wanted = {(ROOT / f).resolve() for f in args.files}
        chosen = [p for p in chosen if p.resolve() in wanted]
        if len(chosen) != len(wanted):
            raise SystemExit(f"Not a mutation target: {sorted(map(str, wanted - set(chosen)))}")
    mutants = [m for path in chosen for m in find_mutants(path)]
    if args.list:
        for m in mutants:
            print(f"{m.path}:{m.line}: {m.kind}: {m.code}")
        print(f"\n{len(mutants)} mutants in {len(chosen)} files.")
        return 0

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops as cleanly as Ctrl-C
    print(f"{len(mutants)} mutants in {len(chosen)} files; {args.jobs} at a time.", flush=True)
    started = time.monotonic()
    results = run_all(mutants, args.jobs)
    print_table(results)
    print(f"Took {(time.monotonic() - started) / 60:.1f} minutes.")
    if not args.files:
        write_docs(results)
    return 0 if all(r.outcome in ("killed", "timed out") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
