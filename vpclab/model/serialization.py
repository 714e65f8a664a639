"""Save and load a lab: a versioned JSON format, validated in full before anything is built.

Format (``"format": "vpclab-lab"``, ``"version": 2``; version 1 files still load): the Region, the
id and address counters, then one list per resource kind in creation order; resources refer to each
other by id. The format is documented field by field in ``docs/lab-format.md``. ``Lab.from_json``
reads only JSON (never code), checks every field, reference and rule, and raises ``LabFileError``
(code ``InvalidLabFile``) naming the field at the first problem; it returns a new lab or nothing,
never half of one.

The work is split by concern: ``lab_file_dump`` writes; ``lab_file_reader`` reads untrusted values;
``lab_file_network`` and ``lab_file_compute`` rebuild the resources; ``lab_file_checks`` checks the
counters and reads the history. A ``Reader`` carries what one load passes from step to step.
"""

from __future__ import annotations

import json

from .errors import LabFileError, VpcLabError
from .kinds import ID_KINDS
from .lab_file_checks import check_counters, read_history, read_unsupported
from .lab_file_compute import read_compute
from .lab_file_dump import FORMAT, VERSION, dump
from .lab_file_network import read_network
from .lab_file_reader import Reader, enum_of
from .regions import REGIONS
from .resources import (
    BlockPublicAccessMode,
    ExclusionMode,
    VpcBlockPublicAccessExclusion,
    VpcBlockPublicAccessOptions,
)

__all__ = ["FORMAT", "VERSION", "SerializationMixin", "dump", "load"]
SUPPORTED_VERSIONS = (1, 2)
MAX_TEXT = 20_000_000  # characters; a classroom lab is a few kilobytes


def load(lab_class, text: str):
    """Build a new lab from ``text``, or raise ``LabFileError``; ``lab_class`` is the class to make."""
    if not isinstance(text, str | bytes | bytearray):
        raise LabFileError("(file)", "type", expected="str")
    if len(text) > MAX_TEXT:
        raise LabFileError("(file)", "too_large", limit=MAX_TEXT)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise LabFileError("(file)", "json", detail=str(error)[:120]) from None
    try:
        return _build(lab_class, data)
    except LabFileError:
        raise
    except Exception as error:  # pragma: no cover
        # A gap in the checks (any other error, a VpcLabError included) must still end in the one
        # refusal callers expect, never a half-built lab.
        raise LabFileError("(file)", "corrupt", detail=type(error).__name__) from None


def _no_constant(name: str):
    # NaN and Infinity are not JSON; to_json never writes them, so a file holding one is damaged.
    raise ValueError(f"{name} is not JSON")


def _build(lab_class, data):
    if not isinstance(data, dict):
        raise LabFileError("(file)", "type", expected="object")
    if data.get("format") != FORMAT:
        raise LabFileError("format", "format", expected=FORMAT)
    r = Reader(0)
    version = r.get(data, "version", "", int)
    if version not in SUPPORTED_VERSIONS:
        raise LabFileError("version", "version", version=version, supported=VERSION)
    r.version = version
    lab = _new_lab(r, lab_class, data)
    read_network(r, lab, data)
    read_compute(r, lab, data)
    for vpc in lab.vpcs.values():
        for role in ("main_route_table", "default_network_acl", "default_security_group"):
            if getattr(vpc, role) is None:
                raise LabFileError(f"vpcs[{list(lab.vpcs).index(vpc.id)}]", "missing_" + role, id=vpc.id)
    _read_block_public_access(r, lab, data)
    lab.unsupported = read_unsupported(r, data)
    check_counters(r, lab)
    lab.history = read_history(r, data)
    return lab


def _new_lab(r: Reader, lab_class, data: dict):
    """The lab with its Region and counters, still empty."""
    region = r.get(data, "region", "", str)
    try:
        lab = lab_class(region=region)
    except VpcLabError:
        raise LabFileError("region", "value", value=region[:80]) from None
    counters = r.get(data, "counters", "", dict)
    for kind, value in counters.items():
        if kind not in ID_KINDS or type(value) is not int or not 0 <= value < 1 << 40:
            raise LabFileError(f"counters.{kind}"[:100], "value", value=str(value)[:80])
    lab.counters = dict(counters)
    public_counter = r.get(data, "public_ip_counter", "", int)
    if not 0 <= public_counter < lab._pool.size:  # past the pool's end, addresses would repeat
        raise LabFileError("public_ip_counter", "value", value=public_counter)
    lab.public_ip_counter = public_counter
    ipv6_counter = r.get_since_v2(data, "ipv6_block_counter", "", int, 0)
    if not 0 <= ipv6_counter < 1 << 24:  # a /32 Region range holds 2**24 /56s
        raise LabFileError("ipv6_block_counter", "value", value=str(ipv6_counter)[:80])
    lab.ipv6_block_counter = ipv6_counter
    return lab


def _read_block_public_access_mode(r: Reader, options, field: str) -> BlockPublicAccessMode:
    options = r.obj(options, field)
    mode = r.get(options, "internet_gateway_block_mode", field + ".", str)
    return enum_of(BlockPublicAccessMode, mode, field + ".internet_gateway_block_mode")


def _read_block_public_access(r: Reader, lab, data: dict) -> None:
    options = r.since_v2(data, "block_public_access", {"internet_gateway_block_mode": "off"})
    lab.block_public_access.internet_gateway_block_mode = _read_block_public_access_mode(
        r, options, "block_public_access"
    )
    regions = r.obj(data.get("block_public_access_regions", {}), "block_public_access_regions")
    for region, options in regions.items():  # only an import from several Regions writes it
        field = f"block_public_access_regions.{str(region)[:40]}"
        if region not in REGIONS or region == lab.region:
            raise LabFileError(field, "value", value=str(region)[:80])
        mode = _read_block_public_access_mode(r, options, field)
        lab.block_public_access_regions[region] = VpcBlockPublicAccessOptions(mode)
    for n, raw in enumerate(r.since_v2(data, "block_public_access_exclusions", [])):
        f = f"block_public_access_exclusions[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc_id, subnet_id = r.get(raw, "vpc", f, str, True), r.get(raw, "subnet", f, str, True)
        if (vpc_id is None) == (subnet_id is None):
            raise LabFileError(f + "vpc", "value", value=str(vpc_id))
        target = lab.vpcs.get(vpc_id) if vpc_id is not None else lab.subnets.get(subnet_id)
        if target is None or any(x.resource is target for x in lab.block_public_access_exclusions.values()):
            raise LabFileError(f + ("vpc" if vpc_id else "subnet"), "reference", id=str(vpc_id or subnet_id))
        exclusion = VpcBlockPublicAccessExclusion(
            r.new_id(raw, f, "vpcbpa-exclude"),
            enum_of(ExclusionMode, r.get(raw, "mode", f, str), f + "mode"),
            target if vpc_id is not None else None,
            target if subnet_id is not None else None,
            r.get(raw, "name", f, str, True),
        )
        lab.block_public_access_exclusions[exclusion.id] = exclusion


class SerializationMixin:
    def to_json(self, indent: int | None = 1) -> str:
        """The whole lab as versioned JSON (see ``docs/lab-format.md``); ``from_json`` reads it back."""
        return json.dumps(dump(self), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str):
        """A new lab from ``to_json`` output. Invalid input raises ``LabFileError`` and builds nothing."""
        return load(cls, text)
