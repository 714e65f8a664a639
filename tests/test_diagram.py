"""The connectivity diagram: its DOT source (compared as text, never as SVG bytes), its words in
both languages, the reachability edges, the highlighted analysis, the text reading for screen
readers, real rendering with Graphviz, and the fallback where ``dot`` is missing."""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace

import graphviz
import pytest

import vpclab
from vpclab.model.i18n import code_phrase
from vpclab.render.reading import diagram_text

GREEN, RED = '"#1b6e34"', '"#c62828"'
HANGUL = re.compile("[\uac00-\ud7a3]")
EDGE = re.compile(r'^\t(?P<a>"[^"]+"|\w+) -> (?P<b>"[^"]+"|\w+) \[(?P<attrs>.*)\]$')


def build_classroom():
    """The classroom network, with every kind of thing the diagram draws.

    VPC 10.0.0.0/16 + 10.1.0.0/16 with gateway ``igw`` attached and a detached ``spare`` gateway;
    subnet ``public`` (zone a) routed to the gateway, with ``web`` (Elastic IP, group ``web``:
    tcp 80), ``auto`` (auto-assigned public IP) and NAT gateway ``nat``; subnet ``private`` (zone c)
    routed to the NAT gateway, with ``app``, and a route to a terminated instance (a blackhole);
    an idle Elastic IP.
    """
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    lab.associate_vpc_cidr_block(vpc, "10.1.0.0/16")
    igw = lab.create_internet_gateway(name="igw")
    lab.attach_internet_gateway(igw, vpc)
    spare = lab.create_internet_gateway(name="spare")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public", availability_zone="ap-northeast-2a")
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private", availability_zone="ap-northeast-2c")
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web", "HTTP from anywhere")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    eip = lab.allocate_address(name="web-eip")
    lab.associate_address(eip, web)
    auto = lab.run_instance(public, name="auto", associate_public_ip=True, security_groups=[web_sg])
    nat_eip = lab.allocate_address(name="nat-eip")
    nat = lab.create_nat_gateway(public, nat_eip, name="nat")
    private_rt = lab.create_route_table(vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, private)
    app = lab.run_instance(private, name="app")
    gone = lab.run_instance(private, name="gone")
    lab.create_route(private_rt, "192.168.0.0/16", gone)
    lab.terminate_instance(gone)
    idle = lab.allocate_address(name="idle-eip")
    return SimpleNamespace(
        lab=lab,
        vpc=vpc,
        igw=igw,
        spare=spare,
        public=public,
        private=private,
        public_rt=public_rt,
        private_rt=private_rt,
        web_sg=web_sg,
        web=web,
        eip=eip,
        auto=auto,
        nat_eip=nat_eip,
        nat=nat,
        app=app,
        gone=gone,
        idle=idle,
    )


@pytest.fixture
def classroom():
    return build_classroom()


def dot(lab, **kwargs) -> str:
    return vpclab.diagram(lab, **kwargs).source


def edges(source: str, a: str, b: str) -> list[str]:
    """The attribute lists of the edges a -> b in a DOT source."""
    found = []
    for line in source.splitlines():
        match = EDGE.match(line)
        if match and match["a"].strip('"') == a and match["b"].strip('"') == b:
            found.append(match["attrs"])
    return found


def node_label(source: str, node: str) -> str:
    """The label of a node (its HTML-like label text)."""
    for line in source.splitlines():
        if line.strip().startswith(f'"{node}" [label=') or line.strip().startswith(f"{node} [label="):
            return line
    raise AssertionError(f"no node {node} in the diagram")


# ---- determinism ------------------------------------------------------------------------------------
def test_two_labs_built_by_the_same_calls_give_byte_identical_dot_source():
    first, second = build_classroom(), build_classroom()
    for lang in ("en", "ko"):
        assert dot(first.lab, lang=lang) == dot(second.lab, lang=lang)
    analysis = (
        first.lab.analyze("internet", first.web, "tcp", 22),
        second.lab.analyze("internet", second.web, "tcp", 22),
    )
    assert dot(first.lab, highlight=analysis[0]) == dot(second.lab, highlight=analysis[1])
    assert diagram_text(first.lab, "ko") == diagram_text(second.lab, "ko")


def test_drawing_a_lab_twice_gives_the_same_source_and_changes_nothing(classroom):
    before = classroom.lab.to_json()
    assert dot(classroom.lab) == dot(classroom.lab)
    assert classroom.lab.to_json() == before


def test_diagram_is_a_graphviz_digraph_and_the_lab_displays_itself_as_it(classroom):
    graph = vpclab.diagram(classroom.lab)
    assert isinstance(graph, graphviz.Digraph)
    html = classroom.lab._repr_html_()
    assert "<svg" in html and classroom.web.id in html


# ---- what the diagram shows -------------------------------------------------------------------------
def test_the_internet_and_each_gateway_with_its_attachment_state_are_drawn(classroom):
    s = classroom
    source = dot(s.lab, lang="en")
    assert "Internet" in node_label(source, "internet")
    assert f"attached to {s.vpc.id}" in node_label(source, s.igw.id)
    assert "detached" in node_label(source, s.spare.id)
    assert edges(source, "internet", s.igw.id), "the attached gateway is linked to the internet"
    assert not edges(source, "internet", s.spare.id)


def test_the_vpc_is_a_cluster_with_its_cidrs_and_each_availability_zone_has_its_own_cluster(classroom):
    s = classroom
    source = dot(s.lab, lang="en")
    assert f'subgraph "cluster_{s.vpc.id}" {{' in source
    assert "10.0.0.0/16, 10.1.0.0/16" in source
    zones = re.findall(rf'subgraph "cluster_{s.vpc.id}_([a-z0-9-]+)"', source)
    assert zones == ["ap-northeast-2a", "ap-northeast-2c"]
    assert "Availability Zone ap-northeast-2a" in source and "Availability Zone ap-northeast-2c" in source
    # each subnet sits inside its zone's cluster
    zone_a = source.index(f"cluster_{s.vpc.id}_ap-northeast-2a")
    zone_c = source.index(f"cluster_{s.vpc.id}_ap-northeast-2c")
    assert zone_a < source.index(f'"cluster_{s.public.id}"') < zone_c < source.index(f'"cluster_{s.private.id}"')


def test_subnets_are_marked_public_or_private_with_their_acl(classroom):
    s = classroom
    source = dot(s.lab, lang="en")
    public = next(line for line in source.splitlines() if "public (" + s.public.id in line)
    private = next(line for line in source.splitlines() if "private (" + s.private.id in line)
    assert "10.0.1.0/24 · public subnet" in public and "10.0.2.0/24 · private subnet" in private
    assert f"Network ACL: {s.public.network_acl.id}" in public
    assert f"Network ACL: {s.private.network_acl.id}" in private


def test_each_subnet_shows_its_route_table_with_routes_and_blackholes_marked(classroom):
    s = classroom
    source = dot(s.lab, lang="en")
    public_table = node_label(source, f"{s.public.id}/{s.public_rt.id}")
    assert f"Route table public-rt ({s.public_rt.id})" in public_table
    assert "10.0.0.0/16 → local" in public_table and f"0.0.0.0/0 → {s.igw.id}" in public_table
    assert "✘" not in public_table
    private_table = node_label(source, f"{s.private.id}/{s.private_rt.id}")
    assert f"0.0.0.0/0 → {s.nat.id}<BR/>" in private_table
    assert f"192.168.0.0/16 → {s.gone.id} ✘ blackhole" in private_table
    # the route edges: gateway and NAT gateway targets; none to the terminated instance (not drawn)
    assert edges(source, s.igw.id, f"{s.public.id}/{s.public_rt.id}")
    assert edges(source, f"{s.private.id}/{s.private_rt.id}", s.nat.id)
    assert s.gone.id not in source.replace(f"→ {s.gone.id} ✘", "")


def test_a_blackhole_route_to_a_drawn_target_is_a_dashed_red_edge_with_a_cross(classroom):
    s = classroom
    s.lab.delete_nat_gateway(s.nat)
    s.lab.create_route(s.private_rt, "172.16.0.0/12", s.app)
    s.lab.stop_instance(s.app)
    source = dot(s.lab)
    assert f"0.0.0.0/0 → {s.nat.id} ✘ blackhole" in source
    assert s.nat.id not in re.sub(r"→ nat-\w+ ✘ blackhole", "", source), "a deleted NAT gateway is not drawn"
    (edge,) = edges(source, f"{s.private.id}/{s.private_rt.id}", s.app.id)
    assert "style=dashed" in edge and f"color={RED}" in edge and "✘" in edge  # a broken route


def test_instances_show_private_public_and_elastic_ips_and_group_names(classroom):
    s = classroom
    source = dot(s.lab, lang="en")
    web, auto, app = (node_label(source, i.id) for i in (s.web, s.auto, s.app))
    assert f"web ({s.web.id})" in web and f"Private IP {s.web.private_ip}" in web
    assert f"Elastic IP {s.eip.public_ip}" in web and "Security groups: web" in web
    assert f"Public IP {s.auto.public_ip}" in auto and "Elastic IP" not in auto
    assert "no public IP" in app and "Security groups: default" in app
    assert f"gone ({s.gone.id})" not in source, "a terminated instance is not drawn"


def test_a_stopped_instance_says_so(classroom):
    classroom.lab.stop_instance(classroom.app)
    assert "stopped" in node_label(dot(classroom.lab), classroom.app.id)


def test_nat_gateways_and_idle_elastic_ips_are_drawn_the_idle_one_as_still_billed(classroom):
    s = classroom
    source = dot(s.lab, lang="en")
    nat = node_label(source, s.nat.id)
    assert "NAT gateway" in nat and f"EIP {s.nat_eip.public_ip}" in nat and "shape=hexagon" in nat
    idle = node_label(source, s.idle.id)
    assert f"{s.idle.public_ip} ({s.idle.id})" in idle and "still billed" in idle
    for used in (s.eip, s.nat_eip):
        assert f'"{used.id}" [label=' not in source, "an associated Elastic IP is shown on its owner"


def test_a_failed_nat_gateway_shows_its_failure_code():
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    nat = lab.create_nat_gateway(subnet, lab.allocate_address())  # no internet gateway: created as failed
    assert "✘ Gateway.NotAttached" in node_label(dot(lab), nat.id)


# ---- reachability badges ----------------------------------------------------------------------------
def badge(source: str, node: str, direction: str) -> str:
    """The badge line of an instance's box: ``direction`` is "in" (from the internet) or "out"."""
    arrow = {"in": "⬇", "out": "⬆"}[direction]
    (line,) = [part for part in node_label(source, node).split("<BR/>") if arrow in part]
    return line


def test_reachability_is_a_badge_on_each_instance_not_an_edge_across_the_picture(classroom):
    s = classroom
    source = dot(s.lab)
    for instance in (s.web, s.auto, s.app):
        assert not edges(source, "internet", instance.id) and not edges(source, instance.id, "internet")
        assert badge(source, instance.id, "in") and badge(source, instance.id, "out")


def test_an_open_port_badge_says_which_ports_with_a_check_mark_in_green(classroom):
    s = classroom
    source = dot(s.lab)
    inbound = badge(source, s.web.id, "in")
    assert "from internet: ✔ tcp 80" in inbound and f"COLOR={GREEN}" in inbound
    assert f"to internet: ✔ via {s.igw.id}" in badge(source, s.web.id, "out")
    assert f"✔ via {s.nat.id}" in badge(source, s.app.id, "out")


def test_a_blocked_badge_names_the_code_and_the_blocking_component_with_a_cross(classroom):
    s = classroom
    s.lab.delete_nat_gateway(s.nat)
    report = s.lab.exposure()
    source = dot(s.lab)
    entry = report[s.app]
    for direction, code, at in (
        ("in", entry.inbound_code, entry.inbound_blocked_at),
        ("out", entry.outbound_code, entry.outbound_blocked_at),
    ):
        line = badge(source, s.app.id, direction)
        assert code, "the exposure report names what blocks"
        # colour is never the only cue: the symbol and the words say it too; the AWS code is in the tooltip
        assert f"✘ {code_phrase(code, 'en')} @ {at}" in line and f"COLOR={RED}" in line
        assert code in node_label(source, s.app.id).split("tooltip=")[1]


def test_badges_follow_the_exposure_report_for_every_instance(classroom):
    s = classroom
    source = dot(s.lab)
    for entry in s.lab.exposure():
        assert ("✔" in badge(source, entry.instance_id, "in")) == bool(entry.inbound)
        assert ("✔" in badge(source, entry.instance_id, "out")) == bool(entry.outbound)


def test_detaching_the_gateway_turns_the_web_server_badge_to_a_cross(classroom):
    s = classroom
    s.lab.disassociate_address(s.eip)
    s.lab.release_address(s.eip)
    s.lab.release_address(s.idle)
    s.lab.delete_nat_gateway(s.nat)
    s.lab.stop_instance(s.auto)
    s.lab.terminate_instance(s.auto)
    s.lab.detach_internet_gateway(s.igw, s.vpc)
    source = dot(s.lab)
    assert "detached" in node_label(source, s.igw.id)
    assert "✘" in badge(source, s.web.id, "in") and "✔" not in badge(source, s.web.id, "in")


# ---- layout -------------------------------------------------------------------------------------------
def test_the_internet_is_on_top_and_the_attached_gateway_inside_the_vpc_box(classroom):
    s = classroom
    source = dot(s.lab)
    assert "rankdir=TB" in source
    vpc_box = source.index(f'subgraph "cluster_{s.vpc.id}"')
    assert source.index("\tinternet [label=") < vpc_box < source.index(f'"{s.igw.id}" [label=')
    assert source.index(f'"{s.spare.id}" [label=') < vpc_box, "a detached gateway waits outside the VPC"


def test_public_and_private_subnets_differ_in_words_and_line_not_only_colour(classroom):
    s = classroom
    source = dot(s.lab)
    public = next(line for line in source.splitlines() if f"cluster_{s.public.id}" in line and "label=" in line)
    private = next(line for line in source.splitlines() if f"cluster_{s.private.id}" in line and "label=" in line)
    assert "public subnet" in public and "private subnet" in private
    assert "dashed" not in public and "dashed" in private
    assert "penwidth=2.5" in public and "penwidth=1.2" in private


def test_every_drawn_element_has_an_id_the_browser_can_mark(classroom):
    graph = vpclab.diagram(classroom.lab)
    for name in graph.drawn:
        assert f'id="vpclab-{name.replace("/", "--")}"' in graph.source


# ---- highlighted analysis ---------------------------------------------------------------------------
def test_a_blocked_analysis_adds_numbered_request_edges_and_a_blocked_marker_with_the_code(classroom):
    s = classroom
    analysis = s.lab.analyze("internet", s.web, "tcp", 22)
    assert analysis.reachable is False
    plain, source = dot(s.lab), dot(s.lab, highlight=analysis)
    assert "request" not in plain and "blocked [" not in plain
    requests = re.findall(r">request (\d+)→(\d+)<", source)
    assert requests and all(int(a) < int(b) for a, b in requests)
    assert ">request 1→2<" in edges(source, "internet", s.igw.id)[-1]
    assert any("request" in e for e in edges(source, s.igw.id, s.web.id)), "the path reaches the guarded instance"
    marker = node_label(source, "blocked")
    assert f"✘ {analysis.code}" in marker and analysis.blocked_at in marker and "shape=octagon" in marker
    (into_marker,) = edges(source, s.web.id, "blocked")
    assert f"color={RED}" in into_marker


def test_a_reachable_analysis_draws_request_and_reply_paths_and_no_blocked_marker(classroom):
    s = classroom
    analysis = s.lab.analyze(s.app, "internet", "tcp", 443)
    assert analysis.reachable is True
    source = dot(s.lab, highlight=analysis)
    assert "blocked [" not in source
    assert any("request" in e for e in edges(source, s.app.id, f"{s.private.id}/{s.private_rt.id}"))
    assert any("request" in e for e in edges(source, s.igw.id, "internet"))
    replies = [line for line in source.splitlines() if ">reply " in line]
    assert replies and all("dashed" in line for line in replies), "the reply is told apart by its line too"
    assert any(s.nat.id in line for line in replies)


def test_the_highlight_speaks_korean_too(classroom):
    analysis = classroom.lab.analyze("internet", classroom.web, "tcp", 22)
    source = dot(classroom.lab, highlight=analysis, lang="ko")
    assert ">요청 1→2<" in source and "request" not in source


# ---- languages ----------------------------------------------------------------------------------------
KOREAN_WORDS = (
    "인터넷",
    "인터넷 게이트웨이",
    "가용 영역",
    "퍼블릭 서브넷",
    "프라이빗 서브넷",
    "라우팅 테이블",
    "네트워크 ACL",
    "프라이빗 IP",
    "퍼블릭 IP",
    "탄력적 IP",
    "보안 그룹",
    "NAT 게이트웨이",
    "블랙홀",
    "요금 부과 중",
    "분리됨",
    "연결됨",
    "인터넷에서",
    "인터넷으로",
    "경유",
    "리전",
)
ENGLISH_WORDS = (
    "Internet",
    "Internet gateway",
    "Availability Zone",
    "public subnet",
    "private subnet",
    "Route table",
    "Network ACL",
    "Private IP",
    "Public IP",
    "Elastic IP",
    "Security groups",
    "NAT gateway",
    "blackhole",
    "still billed",
    "detached",
    "attached to",
    "from internet",
    "to internet",
    "via",
    "Region",
    "no public IP",
    "Subnet",
)


# The badges' short words; the text reading says the same in full sentences.
BADGE_WORDS = ("인터넷", "Internet", "인터넷에서", "인터넷으로", "from internet", "to internet")


def test_every_word_is_korean_after_lang_ko(classroom):
    source = dot(classroom.lab, lang="ko")
    for word in KOREAN_WORDS:
        assert word in source, word
    for word in ENGLISH_WORDS:
        assert word not in source, word
    assert "available" not in source, "a state word"


def test_every_word_is_english_for_en(classroom):
    source = dot(classroom.lab, lang="en")
    for word in ENGLISH_WORDS:
        assert word in source, word
    assert not HANGUL.search(source)


def test_the_chosen_language_is_the_default(classroom):
    vpclab.set_language("ko")
    assert dot(classroom.lab) == dot(classroom.lab, lang="ko")
    assert diagram_text(classroom.lab) == diagram_text(classroom.lab, "ko")


def test_an_unknown_language_is_refused(classroom):
    with pytest.raises(ValueError, match="fr"):
        vpclab.diagram(classroom.lab, lang="fr")


# ---- the text reading for screen readers ----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_text_reading_carries_the_same_facts_as_the_diagram(classroom, lang):
    s = classroom
    text = diagram_text(s.lab, lang)
    source = dot(s.lab, lang=lang)
    facts = [
        s.igw.id,
        s.spare.id,
        s.vpc.id,
        "10.0.0.0/16, 10.1.0.0/16",
        "ap-northeast-2a",
        "ap-northeast-2c",
        s.public.id,
        s.private.id,
        s.public_rt.id,
        s.private_rt.id,
        s.public.network_acl.id,
        f"0.0.0.0/0 → {s.igw.id}",
        f"0.0.0.0/0 → {s.nat.id}",
        f"192.168.0.0/16 → {s.gone.id} ✘",
        s.web.id,
        s.auto.id,
        s.app.id,
        str(s.web.private_ip),
        str(s.eip.public_ip),
        str(s.auto.public_ip),
        s.nat.id,
        str(s.nat_eip.public_ip),
        s.idle.id,
        str(s.idle.public_ip),
        "web",
        "default",
    ]
    for entry in s.lab.exposure():
        facts += [code for code in (entry.inbound_code, entry.outbound_code) if code]
    for fact in facts:
        assert fact in text, fact
        assert fact in source, fact
    words = KOREAN_WORDS if lang == "ko" else ENGLISH_WORDS
    shared = [w for w in words if w in source and w not in BADGE_WORDS]
    for word in shared:
        assert word in text, word
    assert s.gone.id + " " not in text.replace(f"→ {s.gone.id} ✘", ""), "terminated: not listed"


def test_the_text_reading_names_the_ip_kind_and_the_state(classroom):
    s = classroom
    s.lab.stop_instance(s.app)
    text = diagram_text(s.lab, "en")
    assert f"Elastic IP {s.eip.public_ip}" in text and f"Public IP {s.auto.public_ip}" in text
    app_line = next(line for line in text.splitlines() if s.app.id in line)
    assert "no public IP" in app_line and "stopped" in app_line
    assert not HANGUL.search(text)


# ---- rendering ----------------------------------------------------------------------------------------
def test_real_graphviz_renders_svg_and_korean_text_survives(classroom):
    analysis = classroom.lab.analyze("internet", classroom.web, "tcp", 22)
    svg = unescape(vpclab.diagram(classroom.lab, highlight=analysis, lang="ko").pipe(format="svg", encoding="utf-8"))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for word in ("인터넷", "가용 영역", "퍼블릭 서브넷", "라우팅 테이블", "요청", analysis.code, classroom.web.id):
        assert word in svg, word


def test_display_without_dot_shows_the_bilingual_message_and_the_text_reading(classroom, monkeypatch):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    for lang in ("en", "ko"):
        vpclab.set_language(lang)
        html = unescape(classroom.lab._repr_html_())  # no exception
        assert "<svg" not in html
        assert "Graphviz's dot program is not installed" in html
        assert "Graphviz의 dot 프로그램이 설치되어 있지 않아" in html
        assert classroom.web.id in html and str(classroom.eip.public_ip) in html
        assert ("퍼블릭 서브넷" if lang == "ko" else "public subnet") in html


def test_display_with_no_dot_on_the_path_falls_back_too(classroom, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    html = unescape(classroom.lab._repr_html_())
    assert "<svg" not in html and "Graphviz's dot program is not installed" in html
    assert "Graphviz의 dot" in html and 'role="alert"' in html


def test_the_lab_display_escapes_hostile_names():
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="<script>alert(1)</script>")
    lab.create_subnet(vpc, "10.0.1.0/24", name='"><b>x')
    assert "<script>" not in dot(lab) and "<script>" not in lab._repr_html_()


def test_the_diagram_shows_ipv6_the_egress_only_gateway_and_block_public_access():
    import engine_topologies_ipv6 as T6

    t = T6.bpa_ingress()
    source = vpclab.diagram(t.lab, lang="en").source
    assert t.web6 in source and str(t.public.ipv6_cidr_block) in source and str(t.vpc.ipv6_cidr_blocks[0]) in source
    assert t.eigw.id in source and "Egress-only internet gateway" in source
    assert "⊘ Block Public Access: block-ingress" in source  # a sign the fonts the kit installs draw (not ⛔)
    assert f'"{t.eigw.id}" -> internet' in source


def test_an_ipv6_only_subnet_shows_its_64_the_ipv6_only_mark_and_dns64_and_its_instance_no_ipv4():
    import engine_topologies_ipv6only as T6only

    from vpclab.render.diagram import diagram as draw

    t = T6only.ipv6_only()
    for lang, mark in (("en", "IPv6 only"), ("ko", "IPv6 전용")):
        dot = draw(t.lab, lang=lang).source
        subnet = next(line for line in dot.splitlines() if f"cluster_{t.v6only.id}" in line and "label=" in line)
        assert f"{t.v6only.ipv6_cidr_block} · {mark} · DNS64" in subnet and "None" not in subnet
        worker = next(line for line in dot.splitlines() if line.strip().startswith(f'"{t.worker.id}"'))
        assert f"IPv6 {t.worker6}" in worker and mark in worker and "None" not in worker


def test_a_nat64_path_is_drawn_through_the_nat_gateway():
    import engine_topologies_ipv6only as T6only

    from vpclab.render.diagram import diagram as draw

    t = T6only.ipv6_only()
    analysis = t.lab.analyze(t.worker, T6only.UPDATES, "tcp", 443)
    dot = draw(t.lab, highlight=analysis).source
    table = f"{t.v6only.id}/{t.v6only_rt.id}"
    drawn = [line for line in dot.splitlines() if "request" in line]
    assert any(f'"{t.worker.id}" -> "{table}"' in line for line in drawn)
    assert any(f'"{table}" -> "{t.nat.id}"' in line for line in drawn)
