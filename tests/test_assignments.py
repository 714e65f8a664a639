"""The graded assignments: their starting labs, checks, texts, notebooks and generated exercises.

Questions asked here:

- Does every solution notebook, run top to bottom in a fresh kernel from its own folder, leave a lab on
  which every check passes? (The lab is read back from that kernel as JSON and graded here, in the test
  process, as the grader does.)
- Does every untouched exercise score zero, on ``start()``'s lab and on the lab its executed notebook
  leaves? No check may pass vacuously.
- Do different correct designs pass (a01, a08), and do plausible wrong answers fail?
- Is every check titled and hinted in three tiers in both languages, with placeholders that its failing
  verdicts fill?
- Are the English and Korean notebooks the same apart from their prose, and are the committed exercises
  what ``scripts/make_exercises.py`` generates?

The 32 notebooks run concurrently (one kernel each), once per session.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import vpclab
from vpclab.grading import lookup
from vpclab.grading.checks import TIERS, assignments, checks_of, evaluate
from vpclab.model.i18n import LANGUAGES, catalog, placeholders

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = (
    "a01_web_server",
    "a02_ssh_admin_only",
    "a03_private_updates",
    "a04_repair_several_faults",
    "a05_acl_ephemeral",
    "a06_elastic_vs_auto",
    "a07_cut_cost",
    "a08_open_design",
    "a09_ipv6_egress_only",
)
ASSIGNMENTS = sorted(assignments())
NOTEBOOKS = [(kind, lang, a) for kind in ("solutions", "exercises") for lang in LANGUAGES for a in ASSIGNMENTS]
SETUP = 'import vpclab\n\nvpclab.set_language("auto")'
KERNELS_AT_ONCE = 4  # kernels mostly wait on each other's start-up; more than the cores still gains


def _script(name: str):
    """A module of scripts/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_exercises = _script("make_exercises")


def start(assignment: str):
    return vpclab.grading.start(assignment)


def score(assignment: str, lab) -> dict[str, bool]:
    return {check_id: verdict.passed for check_id, verdict in evaluate(assignment, lab).items()}


def full_marks(assignment: str, lab) -> bool:
    return all(score(assignment, lab).values())


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def load(kind: str, lang: str, assignment: str) -> dict:
    return json.loads((ROOT / kind / lang / f"{assignment}.ipynb").read_text(encoding="utf-8"))


# ---- running the notebooks ------------------------------------------------------------------------------
async def _run(kind: str, lang: str, assignment: str, gate: asyncio.Semaphore) -> dict:
    """Execute one notebook in a fresh kernel started in its folder, then ask that kernel for ``lab``."""
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / kind / lang / f"{assignment}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("lab.to_json()"))
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=kind == "exercises",
        resources={"metadata": {"path": str(path.parent)}},
    )
    async with gate:
        await client.async_execute()
    errors = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors[cell.get("id")] = output["ename"]
    result = [o for o in notebook.cells[-1].outputs if o.get("output_type") == "execute_result"]
    text = ast.literal_eval(result[0]["data"]["text/plain"]) if result else None
    return {"lab": text, "errors": errors}


@pytest.fixture(scope="session")
def executed() -> dict:
    """{(kind, lang, assignment): {"lab": JSON text, "errors": {cell id: exception name}}} for every notebook."""

    async def run_all():
        gate = asyncio.Semaphore(KERNELS_AT_ONCE)
        results = await asyncio.gather(*(_run(*key, gate) for key in NOTEBOOKS))
        return dict(zip(NOTEBOOKS, results, strict=True))

    return asyncio.run(run_all())


# ---- the assignments themselves --------------------------------------------------------------------------
def test_there_are_the_eight_assignments_from_guided_to_open():
    assert set(EXPECTED) <= set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_assignment_has_a_deterministic_start_and_at_least_one_check(assignment):
    module = importlib.import_module(f"vpclab.grading.assignments.{assignment}")
    assert isinstance(module.start(), vpclab.Lab)
    assert module.start().to_json() == module.start().to_json() == start(assignment).to_json()
    assert len(checks_of(assignment)) >= 1
    assert all(item.points > 0 for item in checks_of(assignment).values())


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_check_passes_on_the_untouched_starting_lab(assignment):
    assert not any(score(assignment, start(assignment)).values())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_check_has_a_title_and_three_hint_tiers_with_matching_placeholders(assignment, lang):
    for check_id in checks_of(assignment):
        keys = [f"check.{assignment}.{check_id}", *(f"hint.{assignment}.{check_id}.{tier}" for tier in TIERS)]
        for key in keys:
            assert catalog(lang).get(key), f"{key} has no {lang} text"
            assert placeholders(catalog(lang)[key]) == placeholders(catalog("en")[key]), key


def _hint_fields(assignment: str, check_id: str) -> set[str]:
    return {name for tier in TIERS for name in placeholders(catalog("en")[f"hint.{assignment}.{check_id}.{tier}"])}


def wrong_answers():
    """Labs that each fail at least one check: the starting labs and plausible mistakes (built below)."""
    yield from ((a, start(a)) for a in ASSIGNMENTS)
    yield from ((a, build()) for a, build, _ in MISTAKES)


def test_every_failing_verdict_fills_every_placeholder_of_its_hints():
    for assignment, lab in wrong_answers():
        for check_id, verdict in evaluate(assignment, lab).items():
            if not verdict.passed:
                missing = _hint_fields(assignment, check_id) - set(verdict.values)
                assert not missing, f"{assignment}.{check_id} leaves {missing} unfilled"


# ---- notebooks: executed -------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_solution_notebook_runs_cleanly_and_earns_full_marks(executed, assignment, lang):
    run = executed[("solutions", lang, assignment)]
    assert run["errors"] == {}
    lab = vpclab.Lab.from_json(run["lab"])
    assert score(assignment, lab) == dict.fromkeys(checks_of(assignment), True)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_untouched_exercise_scores_zero_and_fails_only_in_answer_and_test_cells(executed, assignment, lang):
    run = executed[("exercises", lang, assignment)]
    lab = vpclab.Lab.from_json(run["lab"])
    assert not any(score(assignment, lab).values())
    kinds = {cell["id"]: cell["metadata"].get("nbgrader", {}) for cell in load("exercises", lang, assignment)["cells"]}
    for cell_id, ename in run["errors"].items():
        meta = kinds[cell_id]
        expected = "NotImplementedError" if meta.get("solution") else "AssertionError" if meta.get("grade") else None
        assert ename == expected, f"{cell_id} raised {ename}"


# ---- notebooks: structure ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_notebooks_follow_the_nbgrader_layout(assignment, lang):
    notebook = load("solutions", lang, assignment)
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 5)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    cells = notebook["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert source(code[0]) == SETUP
    assert f'lab = vpclab.grading.start("{assignment}")' in source(code[1])
    meta = [c["metadata"].get("nbgrader") for c in cells]
    ids = [m["grade_id"] for m in meta if m]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    assert all(m["schema_version"] == 3 and m["task"] is False for m in meta if m)
    assert cells[0]["cell_type"] == "markdown" and meta[0]["locked"], "the task text is a locked cell"
    assert meta[1]["locked"] and meta[2]["locked"], "the setup cells are locked"
    answers = [c for c, m in zip(cells, meta, strict=True) if m and m["solution"]]
    assert answers, "at least one answer cell"
    for cell in answers:
        assert cell["cell_type"] == "code"
        assert source(cell).startswith("### BEGIN SOLUTION\n") and source(cell).endswith("\n### END SOLUTION")
        assert cell["metadata"]["nbgrader"] | {"grade_id": ""} == {
            "solution": True,
            "grade": False,
            "locked": False,
            "grade_id": "",
            "schema_version": 3,
            "task": False,
        }
    assert any(source(c) == f'vpclab.check("{assignment}", lab)' for c in code), "the learner's self-check"
    tests = {m["grade_id"]: (m, c) for c, m in zip(cells, meta, strict=True) if m and m["grade"]}
    checks = checks_of(assignment)
    assert list(tests) == list(checks), "one autograder test per check, in the checks' order"
    for check_id, (m, cell) in tests.items():
        assert m["locked"] and not m["solution"] and m["points"] == checks[check_id].points
        assert source(cell) == f'vpclab.grading.assert_check("{assignment}", "{check_id}", lab)'
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None
    for cell in cells:
        assert "BEGIN SOLUTION" not in source(cell) or cell in answers


@pytest.mark.parametrize("kind", ["solutions", "exercises"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_english_and_korean_notebooks_differ_only_in_their_prose(kind, assignment):
    english, korean = (load(kind, lang, assignment) for lang in LANGUAGES)
    assert [c["id"] for c in english["cells"]] == [c["id"] for c in korean["cells"]]
    for a, b in zip(english["cells"], korean["cells"], strict=True):
        assert (a["cell_type"], a["metadata"]) == (b["cell_type"], b["metadata"])
        if a["cell_type"] == "code":
            assert source(a) == source(b)
    assert {k: v for k, v in english.items() if k != "cells"} == {k: v for k, v in korean.items() if k != "cells"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_task_text_lists_every_graded_item_with_its_points(assignment, lang):
    task = source(load("solutions", lang, assignment)["cells"][0])
    for item in checks_of(assignment).values():
        points = f"{item.points:g}"
        line = f"- {item.title(lang)} ({points} points)" if lang == "en" else f"- {item.title(lang)} ({points}점)"
        if lang == "en" and item.points == 1:
            line = f"- {item.title(lang)} (1 point)"
        assert line in task, line


def test_korean_task_texts_are_korean():
    for assignment in ASSIGNMENTS:
        task = source(load("solutions", "ko", assignment)["cells"][0])
        assert sum("가" <= ch <= "힣" for ch in task) > 100, assignment


def test_solutions_and_exercises_hold_the_same_assignments_in_both_languages():
    for kind in ("solutions", "exercises"):
        for lang in LANGUAGES:
            assert sorted(p.stem for p in (ROOT / kind / lang).glob("*.ipynb")) == ASSIGNMENTS


# ---- generated exercises ------------------------------------------------------------------------------
def test_committed_exercises_are_what_make_exercises_generates():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_exercises.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_generation_is_deterministic():
    assert make_exercises.planned() == make_exercises.planned()


def test_a_solution_region_becomes_the_stub_at_its_indentation_and_the_rest_stays():
    master = {
        "cell_type": "code",
        "id": "x",
        "metadata": {"nbgrader": {"solution": True, "grade_id": "x"}},
        "source": [
            "for i in range(3):\n",
            "    ### BEGIN SOLUTION\n",
            "    print(i)\n",
            "    ### END SOLUTION\n",
            "done = True",
        ],
        "outputs": [{"output_type": "stream"}],
        "execution_count": 3,
    }
    cell = make_exercises.exercise_cell(master, "test")
    assert source(cell) == "for i in range(3):\n    # YOUR CODE HERE\n    raise NotImplementedError()\ndone = True"
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert (
        cell["metadata"]["nbgrader"] == {"solution": True, "grade_id": "x"} and cell["metadata"]["deletable"] is False
    )
    assert source(master).startswith("for i"), "the master is not changed"


def test_a_solution_cell_without_markers_is_stubbed_whole_and_markdown_gets_the_text_stub():
    meta = {"nbgrader": {"solution": True, "grade": True, "grade_id": "essay", "points": 1}}
    markdown = make_exercises.exercise_cell(
        {"cell_type": "markdown", "id": "m", "metadata": meta, "source": "My design: ..."}, "test"
    )
    assert source(markdown) == "YOUR ANSWER HERE"
    code = make_exercises.exercise_cell(
        {"cell_type": "code", "id": "c", "metadata": meta, "source": "x = 1", "outputs": [], "execution_count": None},
        "test",
    )
    assert source(code) == "# YOUR CODE HERE\nraise NotImplementedError()"


def test_locked_and_graded_cells_are_made_read_only_like_nbgrader_does():
    locked = {"nbgrader": {"locked": True, "grade_id": "t"}}
    cell = make_exercises.exercise_cell({"cell_type": "markdown", "id": "t", "metadata": locked, "source": "x"}, "t")
    assert (cell["metadata"]["editable"], cell["metadata"]["deletable"]) == (False, False)
    plain = make_exercises.exercise_cell({"cell_type": "markdown", "id": "p", "metadata": {}, "source": "x"}, "t")
    assert plain["metadata"] == {}


@pytest.mark.parametrize(
    "text",
    ["### BEGIN SOLUTION\nx = 1", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"],
    ids=["unterminated", "nested"],
)
def test_a_broken_solution_region_is_refused(text):
    cell = {
        "cell_type": "code",
        "id": "c",
        "metadata": {"nbgrader": {"solution": True}},
        "source": text,
        "outputs": [],
        "execution_count": None,
    }
    with pytest.raises(make_exercises.SolutionRegionError):
        make_exercises.exercise_cell(cell, "test")


def test_a_solution_region_outside_a_solution_cell_is_refused():
    cell = {
        "cell_type": "code",
        "id": "c",
        "metadata": {},
        "source": "### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
        "outputs": [],
        "execution_count": None,
    }
    with pytest.raises(make_exercises.SolutionRegionError):
        make_exercises.exercise_cell(cell, "test")


# ---- any correct design passes -----------------------------------------------------------------------
def a01_elastic_ip_and_custom_table():
    lab = start("a01_web_server")
    vpc, subnet, web_sg, web = lookup.named(lab, "shop-vpc", "web-subnet", "web-sg", "web")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    table = lab.create_route_table(vpc)
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.associate_route_table(table, subnet)
    lab.associate_address(lab.allocate_address(), web)
    for port in (80, 443):
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    return lab


def a01_auto_assigned_ip_and_main_table():
    """Another design: the main route table goes public, and web is relaunched with an auto-assigned
    public IP (AWS cannot add one to a running instance) in a new security group."""
    lab = start("a01_web_server")
    vpc, subnet, web = lookup.named(lab, "shop-vpc", "web-subnet", "web")
    igw = lab.create_internet_gateway(name="igw")
    lab.attach_internet_gateway(igw, vpc)
    lab.create_route(lab.main_route_table(vpc), "0.0.0.0/0", igw)
    www = lab.create_security_group(vpc, "www", "public web")
    lab.authorize_security_group_ingress(www, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(www, "tcp", 443, cidr="0.0.0.0/0")
    lab.terminate_instance(web)
    lab.run_instance(subnet, name="web", associate_public_ip=True, security_groups=[www])
    return lab


def a02_network_acl_keeps_ssh_for_the_administrator():
    """The security group stays as it is; the subnet's ACL lets SSH in from the administrator only."""
    lab = start("a02_ssh_admin_only")
    vpc, subnet = lookup.named(lab, "shop-vpc", "public-a")
    acl = lab.create_network_acl(vpc, name="web-acl")
    lab.create_network_acl_entry(acl, 100, False, "tcp", 22, "203.0.113.10/32", "allow")
    lab.create_network_acl_entry(acl, 110, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 120, False, "tcp", 443, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 100, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(acl, subnet)
    return lab


def a05_narrow_inbound_rule_and_client_ranges():
    """Inbound rule 100 narrowed to port 80 (SSH meets the * deny); outbound the Linux and Windows ranges."""
    lab = start("a05_acl_ephemeral")
    acl = lookup.named(lab, "web-acl")
    lab.replace_network_acl_entry(acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 110, True, "tcp", (32768, 60999), "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 120, True, "tcp", (49152, 65535), "0.0.0.0/0", "allow")
    return lab


def a07_web_on_an_auto_assigned_address():
    """Another cut: web relaunched with an auto-assigned address, and its Elastic IP released too."""
    lab = start("a07_cut_cost")
    subnet, web, web_sg, app_eip = lookup.named(lab, "public-a", "web", "web-sg", "app-eip")
    lab.disassociate_address(app_eip)
    lab.terminate_instance(web)
    lab.run_instance(subnet, name="web", associate_public_ip=True, security_groups=[web_sg])
    for name in ("app-eip", "old-test", "spare", "web-eip"):
        lab.release_address(lookup.named(lab, name))
    return lab


def a08_classic_design():
    """Public and private subnets with their own route tables, Elastic IP on web, a rule naming web's group."""
    lab = start("a08_open_design")
    vpc = lab.create_vpc("10.0.0.0/16")
    public = lab.create_subnet(vpc, "10.0.1.0/24")
    private = lab.create_subnet(vpc, "10.0.2.0/24")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc)
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    nat = lab.create_nat_gateway(public, lab.allocate_address())
    private_rt = lab.create_route_table(vpc)
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, private)
    web_sg = lab.create_security_group(vpc, "web-sg")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")
    db_sg = lab.create_security_group(vpc, "db-sg")
    lab.authorize_security_group_ingress(db_sg, "tcp", 5432, source_group=web_sg)
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    lab.associate_address(lab.allocate_address(), web)
    lab.run_instance(private, name="db", security_groups=[db_sg])
    return lab


def a08_main_table_public_and_acl_guarded_database():
    """Another design: other CIDRs and zones; the main route table is the public one and the subnet
    auto-assigns public IPs; db's subnet has its own route table to the NAT gateway, a CIDR-based
    rule, and a custom network ACL with ephemeral ports both ways."""
    lab = start("a08_open_design")
    vpc = lab.create_vpc("172.20.0.0/16", name="store")
    zones = lab.availability_zones
    front = lab.create_subnet(vpc, "172.20.10.0/24", availability_zone=zones[0], map_public_ip_on_launch=True)
    back = lab.create_subnet(vpc, "172.20.20.0/24", availability_zone=zones[-1])
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    lab.create_route(lab.main_route_table(vpc), "0.0.0.0/0", igw)
    nat = lab.create_nat_gateway(front, lab.allocate_address())
    back_rt = lab.create_route_table(vpc)
    lab.create_route(back_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(back_rt, back)
    acl = lab.create_network_acl(vpc)
    lab.create_network_acl_entry(acl, 100, False, "tcp", 5432, "172.20.10.0/24", "allow")
    lab.create_network_acl_entry(acl, 110, False, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 100, True, "tcp", (1024, 65535), "172.20.10.0/24", "allow")
    lab.create_network_acl_entry(acl, 110, True, "tcp", 443, "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(acl, back)
    front_sg = lab.create_security_group(vpc, "front")
    lab.authorize_security_group_ingress(front_sg, "tcp", 443, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(front_sg, "tcp", 80, cidr="0.0.0.0/0")
    back_sg = lab.create_security_group(vpc, "back")
    lab.authorize_security_group_ingress(back_sg, "tcp", 5432, cidr="172.20.10.0/24")
    lab.run_instance(front, name="web", security_groups=[front_sg])
    lab.run_instance(back, name="db", associate_public_ip=False, security_groups=[back_sg])
    return lab


DESIGNS = [
    ("a01_web_server", a01_elastic_ip_and_custom_table),
    ("a01_web_server", a01_auto_assigned_ip_and_main_table),
    ("a02_ssh_admin_only", a02_network_acl_keeps_ssh_for_the_administrator),
    ("a05_acl_ephemeral", a05_narrow_inbound_rule_and_client_ranges),
    ("a07_cut_cost", a07_web_on_an_auto_assigned_address),
    ("a08_open_design", a08_classic_design),
    ("a08_open_design", a08_main_table_public_and_acl_guarded_database),
]


@pytest.mark.parametrize(("assignment", "build"), DESIGNS, ids=[b.__name__ for _, b in DESIGNS])
def test_a_different_correct_design_earns_full_marks(assignment, build):
    assert score(assignment, build()) == dict.fromkeys(checks_of(assignment), True)


def test_the_two_a08_designs_really_differ():
    one, two = a08_classic_design(), a08_main_table_public_and_acl_guarded_database()
    web_one, web_two = lookup.instance(one, "web"), lookup.instance(two, "web")
    assert web_one.elastic_ip is not None and web_two.elastic_ip is None and web_two.auto_public_ip is not None
    assert one.network_acl_of(lookup.instance(one, "db").subnet).is_default
    assert not two.network_acl_of(lookup.instance(two, "db").subnet).is_default


# ---- plausible mistakes fail the check they should ------------------------------------------------------
def _a01_ssh_for_everyone():
    lab = a01_elastic_ip_and_custom_table()
    lab.authorize_security_group_ingress(lookup.named(lab, "web-sg"), "tcp", 22, cidr="0.0.0.0/0")
    return lab


def _a02_office_network_instead_of_the_admin():
    lab = start("a02_ssh_admin_only")
    web_sg = lookup.named(lab, "web-sg")
    lab.revoke_security_group_ingress(web_sg, "tcp", 22, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 22, cidr="203.0.113.0/24")
    return lab


def _a02_admin_added_but_world_rule_kept():
    lab = start("a02_ssh_admin_only")
    lab.authorize_security_group_ingress(lookup.named(lab, "web-sg"), "tcp", 22, cidr="203.0.113.10/32")
    return lab


def _a02_ssh_closed_for_everyone():
    lab = start("a02_ssh_admin_only")
    lab.revoke_security_group_ingress(lookup.named(lab, "web-sg"), "tcp", 22, cidr="0.0.0.0/0")
    return lab


def _a03_nat_but_app_keeps_its_address():
    lab = start("a03_private_updates")
    public, private_rt = lookup.named(lab, "public-a", "private-rt")
    nat = lab.create_nat_gateway(public, lab.allocate_address())
    lab.replace_route(private_rt, "0.0.0.0/0", nat)
    return lab


def _a03_nat_in_the_private_subnet():
    lab = start("a03_private_updates")
    private, private_rt, app_eip = lookup.named(lab, "private-a", "private-rt", "app-eip")
    lab.disassociate_address(app_eip)
    nat = lab.create_nat_gateway(private, app_eip)
    lab.replace_route(private_rt, "0.0.0.0/0", nat)
    return lab


def _a04_route_only():
    lab = start("a04_repair_several_faults")
    public_rt, igw = lookup.named(lab, "public-rt", "shop-igw")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    return lab


def _a04_repaired_but_8080_kept():
    lab = _a04_route_only()
    web_sg, web_acl = lookup.named(lab, "web-sg", "web-acl")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.replace_network_acl_association(lab.default_network_acl(web_acl.vpc), lookup.named(lab, "public-a"))
    return lab


def _a05_linux_range_only():
    lab = start("a05_acl_ephemeral")
    acl = lookup.named(lab, "web-acl")
    lab.create_network_acl_entry(acl, 90, False, "tcp", 22, "0.0.0.0/0", "deny")
    lab.create_network_acl_entry(acl, 110, True, "tcp", (32768, 60999), "0.0.0.0/0", "allow")
    return lab


def _a05_deny_after_the_allow():
    lab = start("a05_acl_ephemeral")
    acl = lookup.named(lab, "web-acl")
    lab.create_network_acl_entry(acl, 200, False, "tcp", 22, "0.0.0.0/0", "deny")
    lab.create_network_acl_entry(acl, 110, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    return lab


def _a05_back_to_the_default_acl():
    lab = start("a05_acl_ephemeral")
    subnet, web_sg = lookup.named(lab, "public-a", "web-sg")
    lab.replace_network_acl_association(lab.default_network_acl(subnet.vpc), subnet)
    lab.revoke_security_group_ingress(web_sg, "tcp", 22, cidr="0.0.0.0/0")
    return lab


def _a06_elastic_ip_plus_an_idle_one():
    lab = start("a06_elastic_vs_auto")
    lab.associate_address(lab.allocate_address(), lookup.named(lab, "web"))
    lab.allocate_address(name="spare")
    return lab


def _a07_nat_gateway_deleted():
    lab = start("a07_cut_cost")
    nat, nat_eip, app_eip = lookup.named(lab, "shop-nat", "nat-eip", "app-eip")
    lab.delete_nat_gateway(nat)
    lab.disassociate_address(app_eip)
    for eip in (nat_eip, app_eip, *lookup.named(lab, "old-test", "spare")):
        lab.release_address(eip)
    return lab


def _a07_idle_addresses_only():
    lab = start("a07_cut_cost")
    for eip in lookup.named(lab, "old-test", "spare"):
        lab.release_address(eip)
    return lab


def _a08_database_in_the_public_subnet():
    lab = a08_classic_design()
    db = lookup.instance(lab, "db")
    web = lookup.instance(lab, "web")
    lab.terminate_instance(db)
    lab.run_instance(web.subnet, name="db", security_groups=db.security_groups)
    return lab


def _a08_isolated_lab():
    lab = start("a08_open_design")
    vpc = lab.create_vpc("10.0.0.0/16")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    lab.run_instance(subnet, name="web")
    lab.run_instance(subnet, name="db")
    return lab


def _a09(web_route=True, app_route="eigw", release=True):
    """a09 solved as the master does, but for one step: the near misses below change one of them."""
    lab = start("a09_ipv6_egress_only")
    vpc, igw, public_rt, private_rt, web_sg, nat, nat_eip = lookup.named(
        lab, "shop-vpc", "shop-igw", "public-rt", "private-rt", "web-sg", "shop-nat", "nat-eip"
    )
    if web_route:
        lab.create_route(public_rt, "::/0", igw)
    for port in (80, 443):
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="::/0")
    if app_route == "eigw":
        lab.replace_route(private_rt, "::/0", lab.create_egress_only_internet_gateway(vpc))
    elif app_route is None:
        lab.delete_route(private_rt, "::/0")
    lab.delete_nat_gateway(nat)
    if release:
        lab.release_address(nat_eip)
    return lab


def _a09_rules_without_an_ipv6_route():
    return _a09(web_route=False)


def _a09_app_left_on_the_internet_gateway():
    return _a09(app_route="igw")


def _a09_app_without_an_ipv6_way_out():
    return _a09(app_route=None)


def _a09_nat_deleted_but_its_address_kept():
    return _a09(release=False)


MISTAKES = [
    ("a01_web_server", _a01_ssh_for_everyone, {"nothing_else"}),
    ("a02_ssh_admin_only", _a02_office_network_instead_of_the_admin, {"admin_only", "nothing_else"}),
    ("a02_ssh_admin_only", _a02_admin_added_but_world_rule_kept, {"admin_only", "web_still_up", "nothing_else"}),
    ("a02_ssh_admin_only", _a02_ssh_closed_for_everyone, {"admin_only"}),
    ("a03_private_updates", _a03_nat_but_app_keeps_its_address, {"no_public_address"}),
    ("a03_private_updates", _a03_nat_in_the_private_subnet, {"updates_via_nat"}),
    ("a04_repair_several_faults", _a04_route_only, {"http", "https", "nothing_else"}),
    ("a04_repair_several_faults", _a04_repaired_but_8080_kept, {"nothing_else"}),
    ("a05_acl_ephemeral", _a05_linux_range_only, {"http_windows"}),
    ("a05_acl_ephemeral", _a05_deny_after_the_allow, {"ssh_denied"}),
    ("a05_acl_ephemeral", _a05_back_to_the_default_acl, {"http_linux", "http_windows", "ssh_denied"}),
    ("a06_elastic_vs_auto", _a06_elastic_ip_plus_an_idle_one, {"no_idle_address"}),
    ("a07_cut_cost", _a07_nat_gateway_deleted, {"cost_below", "updates_still_work"}),
    ("a07_cut_cost", _a07_idle_addresses_only, {"cost_below"}),
    ("a08_open_design", _a08_database_in_the_public_subnet, {"db_private", "db_updates"}),
    ("a08_open_design", _a08_isolated_lab, {"web_https", "db_private", "db_updates"}),
    ("a09_ipv6_egress_only", _a09_rules_without_an_ipv6_route, {"web_ipv6"}),
    ("a09_ipv6_egress_only", _a09_app_left_on_the_internet_gateway, {"app_out_ipv6", "app_unreachable"}),
    ("a09_ipv6_egress_only", _a09_app_without_an_ipv6_way_out, {"app_out_ipv6"}),
    ("a09_ipv6_egress_only", _a09_nat_deleted_but_its_address_kept, {"no_nat_bill"}),
]


def test_a09_solved_by_the_near_miss_builder_gets_full_marks():
    assert full_marks("a09_ipv6_egress_only", _a09())


@pytest.mark.parametrize(
    ("assignment", "build", "failing"), MISTAKES, ids=[b.__name__.strip("_") for _, b, _ in MISTAKES]
)
def test_a_plausible_mistake_fails_exactly_the_checks_it_should(assignment, build, failing):
    result = score(assignment, build())
    assert {check_id for check_id, passed in result.items() if not passed} == failing


def test_a06_grades_a_copy_and_leaves_the_learners_lab_alone():
    lab = start("a06_elastic_vs_auto")
    lab.associate_address(lab.allocate_address(), lookup.named(lab, "web"))
    before = lab.to_json()
    assert full_marks("a06_elastic_vs_auto", lab)
    assert lab.to_json() == before
