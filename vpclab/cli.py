"""``vpclab exposure PATH``: the internet-exposure report of a real account's snapshot, from the command line.

    vpclab exposure PATH [--format table|json|html] [--lang ko|en] [--diagram DIR] [--region REGION]
                         [--fail-on exposed|unknown]

PATH is what ``Lab.from_aws`` reads (an ``aws_configs`` folder or a combined JSON file). The report
goes to standard output: a summary (how many instances are exposed, on which ports, how many unknown),
then per instance (and per secondary network interface) its account, Region and VPC, its verdict
(exposed, unknown or none), what the internet reaches on it (directly or through a load balancer),
why, and whether it reaches the internet; then what the model does not cover and the describe calls
that would settle each unknown (cli_report.py; JSON: docs/exposure-json.md). ``--diagram DIR`` writes
one diagram per VPC (``<vpc-id>.svg`` through Graphviz, or the DOT source ``<vpc-id>.dot`` where
``dot`` is not installed). Exit status: 0; 1 with ``--fail-on exposed`` when something is exposed, or
with ``--fail-on unknown`` when something is exposed or unknown; 2 for bad arguments or input, with the
message in English and Korean on standard error. A reader that stops early (``| head``) ends the
output quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from html import escape
from pathlib import Path

FORMATS = ("table", "json", "html")


def _both(key: str, **values) -> str:
    """A catalog text in both languages (the chosen one first), for standard error."""
    from .model.i18n import LANGUAGES, get_language, tr

    first = get_language()
    second = next(lang for lang in LANGUAGES if lang != first)
    return f"{tr(key, first, **values)}\n({second}) {tr(key, second, **values)}"


def add_exposure_command(commands) -> None:
    """Add ``exposure`` to the subcommands of ``vpclab`` (``argparse`` subparsers)."""
    parser = commands.add_parser(
        "exposure",
        help="the internet-exposure report of an AWS account snapshot",
        description="Load the JSON of aws ec2 describe-* calls (an aws_configs folder or one combined JSON "
        "file) and report, per instance and network interface, what the internet can reach and whether it "
        "reaches the internet, then what vpclab does not model.",
    )
    parser.add_argument("path", metavar="PATH", help="an aws_configs folder, a folder holding one, or a JSON file")
    parser.add_argument("--format", choices=FORMATS, default="table", help="table (default), json or html")
    parser.add_argument("--lang", choices=("ko", "en"), default=None, help="language (default: VPCLAB_LANG or en)")
    parser.add_argument("--diagram", metavar="DIR", help="write one diagram per VPC into DIR")
    parser.add_argument("--region", default=None, help="the Region of files no folder or zone names")
    parser.add_argument(
        "--fail-on",
        choices=("exposed", "unknown"),
        default=None,
        help="exit with status 1 when an instance is exposed (or, with unknown, exposed or unknown)",
    )

    def error(message: str):  # argparse's own text is English; the reason is given in both languages
        parser.print_usage(sys.stderr)
        print(f"vpclab exposure: {message}\n{_both('cli.bad_arguments')}", file=sys.stderr)
        raise SystemExit(2)

    parser.error = error


def run_exposure(args: argparse.Namespace) -> int:
    from .lab import Lab
    from .model.errors import VpcLabError
    from .model.i18n import get_language

    lang = args.lang or get_language()
    try:
        lab = Lab.from_aws(args.path, region=args.region)
    except VpcLabError as error:
        print(f"vpclab exposure: {error}", file=sys.stderr)  # the code, then the message in both languages
        return 2
    report = lab.exposure()
    if args.diagram:
        try:
            written = write_diagrams(lab, report, Path(args.diagram), lang)
        except OSError as error:
            print(
                f"vpclab exposure: {_both('cli.cannot_write', path=args.diagram, detail=error.strerror or '')}",
                file=sys.stderr,
            )
            return 2
        for path in written:
            print(_both("cli.wrote", path=str(path)).splitlines()[0], file=sys.stderr)
    text = {"table": exposure_table, "json": exposure_json, "html": exposure_page}[args.format](lab, report, lang)
    if not write_out(text):
        return 0  # the reader stopped early (| head): what it read is all it wanted
    verdicts = {e.verdict for e in report}
    failing = {"exposed": {"exposed"}, "unknown": {"exposed", "unknown"}, None: set()}[args.fail_on]
    return 1 if verdicts & failing else 0


def write_out(text: str) -> bool:
    """Print to standard output; False (and no traceback, now or at exit) if the reader has gone."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would flush again at exit and complain: point standard output at nothing first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return False
    return True


def exposure_table(lab, report, lang: str) -> str:
    from .cli_report import table_text
    from .model.i18n import tr

    return f"{tr('ui.exposure', lang)} — {', '.join(_regions(lab))}\n{table_text(lab, report, lang)}"


def exposure_json(lab, report, lang: str) -> str:
    from .cli_report import json_text

    return json_text(lab, report, lang, _regions(lab))


def exposure_page(lab, report, lang: str) -> str:
    from .cli_report import page_body
    from .model.i18n import tr

    title = f"{tr('ui.exposure', lang)} — {', '.join(_regions(lab))}"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1>{page_body(lab, report, lang)}</body></html>"
    )


def write_diagrams(lab, report, folder: Path, lang: str) -> list[Path]:
    """One diagram per VPC: SVG through Graphviz's ``dot``, else the DOT source."""
    import graphviz

    from .render.diagram import diagram

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for vpc in lab.vpcs.values():
        graph = diagram(lab, lang=lang, report=report, vpc=vpc)
        try:
            path, text = folder / f"{vpc.id}.svg", graph.pipe(format="svg", encoding="utf-8")
        except graphviz.ExecutableNotFound:
            path, text = folder / f"{vpc.id}.dot", graph.source
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _regions(lab) -> list[str]:
    return sorted({v.region or lab.region for v in lab.vpcs.values()} or {lab.region})
