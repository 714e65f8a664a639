"""``vpclab grade``: grade a batch of submissions in parallel processes, with a progress bar.

    python -m vpclab grade submissions/*.ipynb --assignment a01_web_server --out grades/ \\
        [--jobs N] [--timeout S] [--lang ko|en] [--hints 1|2|3] [--force] [--unsafe-no-sandbox]

A SUBMISSION is a notebook, or a folder searched for notebooks. The student's name is the file's
stem, or its folder's name when the file is named after the assignment
(``alice/a01_web_server.ipynb`` is alice's, and so is nbgrader's
``submitted/alice/a01_web_server/a01_web_server.ipynb``). Each submission is graded by a worker process
(``--jobs``, default: one per CPU) that starts a fresh sandboxed kernel for it (see ``kernel.py``
and ``sandbox.py``), rebuilds its lab (``replay.py``) and runs the checks (``grader.py``). No
submission can stop the batch: each ends with a recorded status. The reports (``reports.py``)
are written at the end, by this process, after every kernel is gone.

Student code runs only in the sandbox (bubblewrap, see ``sandbox.py``): when it cannot be built
here, ``grade`` refuses (``GradingRefused``) and says why and what to install, unless the teacher
passes ``--unsafe-no-sandbox``. A folder that already holds grades is updated, never replaced:
earlier students' rows stay, a regraded student's row is replaced (``outcomes.json`` keeps them);
grades of another assignment there, or grades without ``outcomes.json``, are refused without
``--force``. Each worker starts the next submission's fresh kernel while the current one is
checked, and dies with the grader (``PR_SET_PDEATHSIG``), closing its kernels as it goes.

One cheap static check comes first: an *unanswered* notebook (every nbgrader solution cell still
the stub ``raise NotImplementedError()``) runs only the teacher's code, so unanswered notebooks
with byte-identical code share one kernel run — the first one's outcome, when it is ``graded``;
any other outcome and each is run on its own. Nothing of a student's runs in another's kernel.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.util import Finalize
from pathlib import Path

from ..model.i18n import check_language, tr
from ..model.runtime import require_processes
from .checks import checks_of
from .grader import MAX_NOTEBOOK, Outcome, failed, grade_submission
from .isolation import probe_sandbox
from .kernel import discard_spare, terminate_all
from .reports import REPORTS, write_reports, write_state

DEFAULT_TIMEOUT = 60.0
STATE = "outcomes.json"  # every student's outcome so far, so a rerun updates rather than replaces
REFUSALS = ("grade.cli.no_sandbox", "grade.cli.refuse_existing", "grade.cli.refuse_other_assignment")


class GradingRefused(Exception):
    """``vpclab grade`` will not start: ``key`` and ``values`` are its catalog message."""

    def __init__(self, key: str, **values) -> None:
        super().__init__(key)
        self.key, self.values = key, values

    def message(self, lang: str | None = None) -> str:
        return tr(self.key, lang, **self.values)


def find_submissions(items: list[str]) -> list[Path]:
    """Notebooks named on the command line, folders searched (checkpoints skipped), each once."""
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    unique, seen = [], set()
    for path in found:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def student_names(paths: list[Path], assignment: str) -> list[str]:
    """A safe folder name per submission: its stem, or its folder's when named after the assignment."""
    names: list[str] = []
    taken = {*REPORTS, STATE}  # a student called grades.csv gets a folder of another name
    for path in paths:
        folder = path.resolve().parent
        if folder.name == assignment:  # nbgrader's layout: submitted/<student>/<assignment>/<assignment>.ipynb
            folder = folder.parent
        raw = folder.name if path.stem == assignment else path.stem
        name = base = re.sub(r"[^\w.@-]+", "_", raw).strip("._")[:100] or "student"
        number = 1
        while name in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name)
        names.append(name)
    return names


class Progress:
    """A one-line text bar on stderr (a line per submission when stderr is not a terminal)."""

    def __init__(self, total: int, stream=None) -> None:
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.statuses: Counter = Counter()
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        self.statuses[outcome.status] += 1
        width = 30
        filled = width * self.done // max(self.total, 1)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} ({counts})"
        if self.tty:
            self.stream.write(f"\r{bar}" + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(f"{bar} {outcome.student}: {outcome.status} {outcome.score:g}/{outcome.max_score:g}\n")
        self.stream.flush()


def _worker_start() -> None:
    """Each worker: die with the grader (SIGTERM when it goes), and on SIGTERM or exit close the
    kernel it may have started for its next submission, so no kernel or control group outlives it."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGTERM, _end_worker)
    Finalize(None, discard_spare, exitpriority=100)


def _end_worker(*_) -> None:
    terminate_all()
    os._exit(128 + signal.SIGTERM)


def _warm() -> None:
    """Run in each worker as it starts, while the sandbox probe runs: import what grading needs."""
    from .checks import assignments

    assignments()


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: workers start clean (no zmq state forked from this process)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
    )


def _collect(pool, tasks: list[tuple], results: dict, progress: Progress, last_try: bool) -> list[tuple]:
    """Grade ``tasks`` (index, path, student, assignment, timeout, mode) on ``pool``; the tasks lost to
    a worker that died (which breaks the pool), unless this is their last try."""
    broken, futures = [], {}
    for number, task in enumerate(tasks):
        more = number + workers_of(pool) < len(tasks)  # this worker will likely get another one
        try:
            futures[pool.submit(grade_submission, *task[1:], more)] = task
        except BrokenProcessPool:  # an earlier death broke the pool: this one goes on the second try
            broken.append(task)
    for future in as_completed(futures):
        index, path, student, assignment = futures[future][:4]
        try:
            outcome = Outcome.from_dict(future.result())
        except BrokenProcessPool:
            if not last_try:
                broken.append(futures[future])
                continue
            outcome = failed(path, student, assignment, "the grading process died")
        except Exception as error:
            outcome = failed(path, student, assignment, f"{type(error).__name__}: {error}"[:200])
        results[index] = outcome
        progress.update(outcome)
    return broken


def workers_of(pool) -> int:
    return getattr(pool, "_max_workers", 1)


def unanswered_key(path: Path) -> str | None:
    """For an unanswered notebook — every nbgrader solution cell still the stub ``raise
    NotImplementedError()`` — a digest of all its code; else None. Notebooks with the same key run
    the same code, all of it the teacher's (a cheap static check, no kernel)."""
    try:
        data = json.loads(path.read_bytes()) if path.stat().st_size <= MAX_NOTEBOOK else None
        cells = data.get("cells") if isinstance(data, dict) else None
        if not isinstance(cells, list) or data.get("nbformat") != 4:
            return None
        sources, stubs = [], 0
        for cell in cells:
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if not isinstance(source, str):
                return None
            meta = cell.get("metadata", {})
            nbgrader = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
            if isinstance(nbgrader, dict) and nbgrader.get("solution"):
                code = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
                if code != ["raise NotImplementedError()"]:
                    return None
                stubs += 1
            sources.append(source)
    except (OSError, ValueError, RecursionError, TypeError, AttributeError):
        return None
    return hashlib.sha256(json.dumps(sources).encode()).hexdigest() if stubs else None


def _run(tasks: list[tuple], progress: Progress, keys: list[str | None], pool) -> dict[int, Outcome]:
    """Grade every task. Unanswered notebooks with the same code share the outcome of the first of
    them when it is ``graded`` (else each is graded on its own). Tasks a dying worker took down get
    a second try, each in a worker of its own."""
    results: dict[int, Outcome] = {}
    first: dict[str, int] = {}
    later: list[tuple] = []
    now = []
    for task in tasks:
        key = keys[task[0]]
        if key is not None and key in first:
            later.append(task)
        else:
            if key is not None:
                first[key] = task[0]
            now.append(task)
    broken = _collect(pool, now, results, progress, last_try=False)
    again = []
    for task in later:
        model = results.get(first[keys[task[0]]])
        if model is not None and model.status == "graded":
            outcome = Outcome.from_dict(
                {**model.to_dict(), "student": task[2], "path": task[1], "same_as": model.student}
            )
            results[task[0]] = outcome
            progress.update(outcome)
        else:
            again.append(task)
    broken += _collect(pool, again, results, progress, last_try=False)
    for task in broken:
        with _pool(1) as alone:
            _collect(alone, [task], results, progress, last_try=True)
    return results


def earlier_outcomes(out: Path, assignment: str, force: bool) -> list[Outcome]:
    """The outcomes already in ``out`` (kept on a rerun); refuses to mix or lose grades unless ``force``."""
    state, grades = out / STATE, out / "grades.csv"
    if force or not (state.exists() or grades.exists()):
        return []
    try:
        data = json.loads(state.read_text(encoding="utf-8"))
        earlier = [Outcome.from_dict(o) for o in data["outcomes"]]
        theirs = data["assignment"]
    except (OSError, ValueError, KeyError, TypeError):
        raise GradingRefused("grade.cli.refuse_existing", out=str(out)) from None
    if theirs != assignment:
        raise GradingRefused("grade.cli.refuse_other_assignment", out=str(out), other=str(theirs))
    return earlier


def merged(earlier: list[Outcome], now: list[Outcome]) -> list[Outcome]:
    """Earlier students first, in their order, each regraded one replaced; new students after."""
    fresh = {o.student: o for o in now}
    kept = [fresh.pop(o.student, o) for o in earlier]
    return kept + [o for o in now if o.student in fresh]


def grade(
    submissions: list[str],
    assignment: str,
    out: Path,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    lang: str = "en",
    stream=None,
    hints: int = 1,
    force: bool = False,
    unsafe: bool = False,
) -> list[Outcome]:
    """Grade every submission and write the reports to ``out``; the outcomes, in input order.

    Raises:
        GradingRefused: the sandbox cannot be built here (and ``unsafe`` is not given), or ``out``
            holds grades this run would mix with or lose (and ``force`` is not given).
        BrowserUnsupportedError: in the browser (JupyterLite), which cannot start the kernels.
    """
    require_processes("grade")  # JupyterLite: say where to grade instead of failing in multiprocessing
    stream = stream or sys.stderr
    lang = check_language(lang)
    checks_of(assignment)  # an unknown assignment stops here, before any kernel starts
    earlier = earlier_outcomes(out, assignment, force)
    started = time.monotonic()
    paths = find_submissions(submissions)
    names = student_names(paths, assignment)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    mode = "unsafe" if unsafe else "sandbox"
    with _pool(workers) as pool:
        for _ in range(workers):  # the workers start (and import) while the probe runs; no student code yet
            pool.submit(_warm)
        why_not = None if unsafe else probe_sandbox()
        if why_not is not None:
            raise GradingRefused("grade.cli.no_sandbox", reason=why_not)
        if unsafe:
            stream.write(tr("grade.cli.unsafe", lang) + "\n")
        tasks = [(i, str(p), names[i], assignment, float(timeout), mode) for i, p in enumerate(paths)]
        progress = Progress(len(tasks), stream)
        keys = [unanswered_key(p) for p in paths]
        results = _run(tasks, progress, keys, pool) if tasks else {}
    outcomes = [results[i] for i in range(len(tasks))]
    everyone = merged(earlier, outcomes)
    write_reports(everyone, assignment, out, lang, hints=hints)
    write_state(out / STATE, json.dumps({"assignment": assignment, "outcomes": [o.to_dict() for o in everyone]}))
    counts = ", ".join(
        f"{tr('grade.status.' + k, lang)} {v}" for k, v in sorted(Counter(o.status for o in outcomes).items())
    )
    sandbox = tr("grade.mode.sandbox" if mode == "sandbox" else "grade.mode.unsafe", lang)
    seconds = f"{time.monotonic() - started:.1f}"
    summary = tr(
        "grade.cli.summary",
        lang,
        count=len(outcomes),
        seconds=seconds,
        statuses=counts or "—",
        out=str(out),
        mode=sandbox,
    )
    stream.write(summary + "\n")
    return outcomes
