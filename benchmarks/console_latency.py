"""How long a console click takes to put the new diagram on screen, against Graphviz alone.

For two labs — the classroom topology and a 50-instance lab — this clicks the console's "Add rule"
and "Remove rule" buttons in turn (so the lab returns to where it started and every click changes
the diagram) and times each click until ``console.diagram.value`` holds the new SVG: the action,
the exposure analysis, the DOT source, the ``dot`` render, the tables and the controls. The
baseline, in the same run, is a bare ``dot -Tsvg`` of the same graph's DOT source in a subprocess,
which is what graphviz's ``pipe`` runs: the render is the floor under any click.

Goals (issue "See it"): a click costs at most 1.5x the bare render, and under 100 ms on the
classroom topology.

    .venv/bin/python benchmarks/console_latency.py [--repeat N] [--profile]

``--profile`` also prints the cProfile hotspots of the clicks on each lab.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vpclab

GOAL_RATIO, GOAL_CLASSROOM_MS = 1.5, 100.0


def classroom() -> vpclab.Lab:
    """VPC; public subnet routed to an attached gateway; private subnet behind a NAT gateway; a web
    instance with an Elastic IP; an app instance; a few security-group rules."""
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    igw = lab.create_internet_gateway(name="igw")
    lab.attach_internet_gateway(igw, vpc)
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public")
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private")
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web", "web servers")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 22, cidr="203.0.113.0/24")
    app_sg = lab.create_security_group(vpc, "app", "app servers")
    lab.authorize_security_group_ingress(app_sg, "tcp", 8080, source_group=web_sg)
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    lab.associate_address(lab.allocate_address(name="web-eip"), web)
    nat = lab.create_nat_gateway(public, lab.allocate_address(name="nat-eip"), name="nat")
    private_rt = lab.create_route_table(vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, private)
    lab.run_instance(private, name="app", security_groups=[app_sg])
    return lab


def fifty_instances() -> vpclab.Lab:
    """The classroom topology grown to 50 instances: web servers with public IPs in the public
    subnet, app servers in the private one."""
    lab = classroom()
    public, private = (s for s in lab.subnets.values())
    web_sg, app_sg = (g for g in lab.security_groups.values() if g.group_name in ("web", "app"))
    for n in range(48):
        if n % 3 == 0:
            lab.run_instance(public, name=f"web-{n}", associate_public_ip=True, security_groups=[web_sg])
        else:
            lab.run_instance(private, name=f"app-{n}", security_groups=[app_sg])
    assert len(lab.instances) == 50
    return lab


def rule_clicker(lab):
    """A console whose security-group tab adds, then removes, tcp 8443 from anywhere on the web group."""
    console = vpclab.Console(lab)
    panel = console.panels["security_group"]
    panel.group.value = next(g.id for g in lab.security_groups.values() if g.group_name == "web")
    panel.protocol.value, panel.port.value, panel.cidr.value = "tcp", "8443", "0.0.0.0/0"
    add, remove = panel.box.children[-1].children
    return console, add, remove


def bare_dot(source: str) -> float:
    """Seconds for ``dot -Tsvg`` on a DOT source, in a subprocess (as graphviz's ``pipe`` does)."""
    start = time.perf_counter()
    subprocess.run(["dot", "-Kdot", "-Tsvg"], input=source.encode("utf-8"), capture_output=True, check=True)
    return time.perf_counter() - start


def measure(lab, repeat: int) -> tuple[list[float], list[float]]:
    console, add, remove = rule_clicker(lab)
    clicks, bares = [], []
    for n in range(repeat * 2 + 2):  # two warm-up clicks
        button = add if n % 2 == 0 else remove
        before = console.diagram.value
        start = time.perf_counter()
        button.click()
        elapsed = time.perf_counter() - start
        if "✔" not in console.message.value or console.diagram.value == before or "<svg" not in console.diagram.value:
            raise SystemExit(f"the click did not redraw the diagram: {console.message.value}")
        bare = bare_dot(vpclab.diagram(lab, lang=console.lang).source)
        if n >= 2:
            clicks.append(elapsed)
            bares.append(bare)
    return clicks, bares


def profile(lab, clicks: int = 20) -> str:
    _console, add, remove = rule_clicker(lab)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(clicks):
        (add if n % 2 == 0 else remove).click()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="clicks per lab (median reported)")
    parser.add_argument("--profile", action="store_true", help="print cProfile hotspots")
    args = parser.parse_args()
    vpclab.set_language("en")
    ok = True
    print(f"{'lab':<22}{'click (ms)':>12}{'bare dot (ms)':>15}{'click/bare':>12}   goals")
    for name, build in (("classroom", classroom), ("50 instances", fifty_instances)):
        lab = build()
        clicks, bares = measure(lab, args.repeat)
        click, bare = statistics.median(clicks) * 1000, statistics.median(bares) * 1000
        ratio = click / bare
        goals = [f"ratio {'ok' if ratio <= GOAL_RATIO else 'MISSED'} (<= {GOAL_RATIO})"]
        ok &= ratio <= GOAL_RATIO
        if name == "classroom":
            goals.append(f"{'ok' if click < GOAL_CLASSROOM_MS else 'MISSED'} (< {GOAL_CLASSROOM_MS:.0f} ms)")
            ok &= click < GOAL_CLASSROOM_MS
        print(f"{name:<22}{click:>12.1f}{bare:>15.1f}{ratio:>12.2f}   {', '.join(goals)}")
        if args.profile:
            print(profile(build()))
    print(f"median of {args.repeat} clicks each (add / remove a security-group rule, alternately)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
