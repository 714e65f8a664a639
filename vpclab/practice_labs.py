"""``vpclab.practice(task_id)``: a lesson's hands-on task — a starting lab, a goal, and a check with hints.

    task = vpclab.practice("l01_route")     # shows the goal; task.lab is the lab to change
    lab = task.lab                           # ... change it in code, or in the console:
    vpclab.Console(lab, tools=[...], goal=task)
    task.check()                             # done, or not yet with a hint that grows more precise

Every starting lab is built with the public verbs from the classroom VPC of ``vpclab.scenarios``, so
its ids are the same on every run; its resources are attributes (``task.web``, ``task.public_rt`` …).
The goals themselves live in ``vpclab.grading.tasks``.
"""

from __future__ import annotations

from html import escape

from . import scenarios
from .grading.tasks import TASKS, progress
from .model.errors import InvalidParameterError
from .model.i18n import check_language, tr


def _web_lab(ports=(80,), route=True, attached=True):
    """Lesson 00/01's network: ``web`` in ``public-a`` with a public IP and the security group ``web``."""
    from .lab import Lab

    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a")
    igw = lab.create_internet_gateway(name="lab-igw")
    found = dict(vpc=vpc, subnet=subnet, igw=igw)
    if attached:
        lab.attach_internet_gateway(igw, vpc)
    if route:
        found["public_rt"] = public_rt = lab.create_route_table(vpc, name="public-rt")
        lab.create_route(public_rt, "0.0.0.0/0", igw)
        lab.associate_route_table(public_rt, subnet)
    found["web_sg"] = web_sg = lab.create_security_group(vpc, "web", "Web server")
    for port in ports:
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    found["web"] = lab.run_instance(subnet, name="web", security_groups=[web_sg], associate_public_ip=attached)
    return lab, found


def _classroom():
    s = scenarios.classroom(nat=False)
    return s.lab, {k: v for k, v in vars(s).items() if k not in ("name", "lab")}


def _l00_only_http():
    return _web_lab(ports=(22, 80, 8080))


def _l01_attach():
    return _web_lab(route=False, attached=False)


def _l02_partner():
    lab, r = _classroom()
    lab.create_route(r["public_rt"], "198.51.100.0/24", r["igw"])
    lab.disassociate_address(r["web_eip"])
    lab.detach_internet_gateway(r["igw"], r["vpc"])
    r["new_igw"] = new_igw = lab.create_internet_gateway(name="new-igw")
    lab.attach_internet_gateway(new_igw, r["vpc"])
    lab.replace_route(r["public_rt"], "0.0.0.0/0", new_igw)
    lab.associate_address(r["web_eip"], r["web"])
    return lab, r


def _l02_address():
    lab, r = _classroom()
    lab.disassociate_address(r["web_eip"])
    return lab, r


def _l03_public_b():
    lab, r = _classroom()
    r["public_b"] = subnet = lab.create_subnet(
        r["vpc"], "10.0.3.0/24", name="public-b", availability_zone="ap-northeast-2c"
    )
    r["web_b"] = lab.run_instance(subnet, name="web-b", security_groups=[r["web_sg"]], associate_public_ip=True)
    return lab, r


def _l03_private_again():
    lab, r = _classroom()
    lab.terminate_instance(r["app"])
    r["app"] = lab.run_instance(r["private"], name="app", security_groups=[r["web_sg"]], associate_public_ip=True)
    lab.associate_route_table(r["public_rt"], r["private"])
    return lab, r


def _l04_acl():
    lab, r = _classroom()
    r["web_acl"] = acl = lab.create_network_acl(r["vpc"], name="web-acl")
    for number, port in ((100, 80), (110, 443)):
        lab.create_network_acl_entry(acl, number, False, "tcp", port, "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(acl, r["public"])
    return lab, r


def _l04_address():
    s = scenarios.broken("no_public_ip")
    return s.lab, {k: v for k, v in vars(s).items() if k not in ("name", "lab")}


def _l05_partner_api():
    lab, r = _classroom()
    r["api_sg"] = api_sg = lab.create_security_group(r["vpc"], "api", "Partner API")
    lab.authorize_security_group_ingress(api_sg, "tcp", 8443, cidr="0.0.0.0/0")
    r["api"] = lab.run_instance(r["public"], name="api", security_groups=[api_sg], associate_public_ip=True)
    return lab, r


def _l06_ssh_admin():
    lab, r = _classroom()
    lab.authorize_security_group_ingress(r["web_sg"], "tcp", 22, cidr="0.0.0.0/0")
    return lab, r


def _l06_idle():
    lab, r = _classroom()
    r["spare_eip"] = lab.allocate_address(name="spare-eip")
    return lab, r


def _broken(name):
    def build():
        s = scenarios.broken(name)
        return s.lab, {k: v for k, v in vars(s).items() if k not in ("name", "lab")}

    return build


STARTS = {
    "l00_https": _web_lab,
    "l00_only_http": _l00_only_http,
    "l01_route": lambda: _web_lab(route=False),
    "l01_attach": _l01_attach,
    "l02_partner": _l02_partner,
    "l02_address": _l02_address,
    "l03_public_b": _l03_public_b,
    "l03_private_again": _l03_private_again,
    "l04_acl": _l04_acl,
    "l04_address": _l04_address,
    "l05_updates": _classroom,
    "l05_partner_api": _l05_partner_api,
    "l06_ssh_admin": _l06_ssh_admin,
    "l06_idle": _l06_idle,
    "l07_several": _broken("several"),
    "l07_acl": _broken("network_acl"),
}


class Practice:
    """One task: ``lab`` to change, its resources as attributes, ``check()`` and the console's ``goal=``."""

    def __init__(self, task_id: str) -> None:
        if task_id not in STARTS or task_id not in TASKS:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:task", value=task_id, tasks=", ".join(STARTS)
            )
        self.task_id, self.task = task_id, TASKS[task_id]
        self.lab, resources = STARTS[task_id]()
        self._attempts: dict = {}
        self.__dict__.update(resources)

    def goal_text(self, lang: str | None = None) -> str:
        return self.task.title(lang)

    def met(self, lab=None) -> bool:
        """Is the goal met on ``lab`` (default: this task's lab)?"""
        return self.task.met(self.lab if lab is None else lab)

    def check(self, lab=None):
        """Done, or not yet — with, for each unmet part, a hint more precise at each call."""
        return progress(self.task, self.lab if lab is None else lab, self._attempts)

    def __repr__(self) -> str:
        return f"Practice({self.task_id!r})"

    def _repr_html_(self) -> str:
        lang = check_language(None)
        head = escape(tr("task.goal", lang, goal=self.goal_text(lang)))
        return f'<div class="vpclab-goal"><p><b>{head}</b></p></div>' + self.lab._repr_html_()
