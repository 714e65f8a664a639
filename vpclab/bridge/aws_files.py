"""Reading ``aws ec2 describe-*`` output from disk: folders, single files, limits, and where each item came from.

A snapshot is a folder laid out as ``aws_configs/[<account>/][<region>/]*.json`` (or the folder that holds
``aws_configs``, or any folder of such files, such as cloudmapper's ``ec2-describe-*.json``), or one
combined JSON file: an object holding several describe keys, optionally nested by Region. Each file is
dispatched on its **top-level key** (``Vpcs``, ``Subnets``, ``Reservations`` ...), never on its name.

The input is untrusted: files are size-checked before they are read, must be UTF-8 JSON (no NaN, no
deep nesting), and every refusal is an ``AwsSnapshotError`` naming the file and the field. Nothing here
evaluates code: ``json`` is the only parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.errors import AwsSnapshotError
from ..model.lab_file_checks import too_deep

MAX_FILE_BYTES = 50_000_000  # one describe call of a large account is a few MB; 50 MB is far beyond
MAX_TOTAL_BYTES = 200_000_000
MAX_FILES = 5_000
MAX_DEPTH = 40  # describe output nests about 10 levels (Reservations > Instances > NetworkInterfaces > ...)
REGION_NAME = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}")

# The describe keys the importer reads (the model), then those of resources it lists as unsupported.
MODEL_KEYS = (
    "Vpcs",
    "Subnets",
    "InternetGateways",
    "NetworkAcls",
    "SecurityGroups",
    "RouteTables",
    "Reservations",
    "NetworkInterfaces",
    "NatGateways",
    "Addresses",
    "PrefixLists",
    "EgressOnlyInternetGateways",
    "VpcBlockPublicAccessOptions",  # describe-vpc-block-public-access-options: one object, not a list
    "VpcBlockPublicAccessExclusions",
)
SINGLE_KEYS = ("VpcBlockPublicAccessOptions",)
OTHER_KEYS = (
    "VpcPeeringConnections",
    "TransitGateways",
    "VpnGateways",
    "VpnConnections",
    "CustomerGateways",
    "VpcEndpoints",
    "CarrierGateways",
    "LocalGateways",
    "LoadBalancers",
    "LoadBalancerDescriptions",
    "Listeners",
    "LoadBalancerListeners",
    "TargetGroups",
    "LoadBalancerTargetHealth",
)
KEYS = MODEL_KEYS + OTHER_KEYS


@dataclass(frozen=True)
class Where:
    """A place in the snapshot: the file (relative to the snapshot's root) and the field inside it."""

    file: str
    path: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file

    def key(self, name: str) -> Where:
        return Where(self.file, f"{self.path}.{name}" if self.path else name)

    def index(self, n: int) -> Where:
        return Where(self.file, f"{self.path}[{n}]")


@dataclass
class Bucket:
    """The describe output of one Region (None: not named by the folders; inferred later)."""

    region: str | None
    where: Where  # the first file that fed it, for errors about the Region
    items: dict[str, list[tuple[object, Where]]] = field(default_factory=dict)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes, where: Where):
    """UTF-8 JSON text as Python data, or ``AwsSnapshotError`` naming the file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AwsSnapshotError("InvalidAwsSnapshot:encoding", where=where, position=error.start) from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise AwsSnapshotError("InvalidAwsSnapshot:too_deep", where=where, limit=MAX_DEPTH) from None
    except ValueError as error:  # JSONDecodeError, NaN, an integer of too many digits
        raise AwsSnapshotError("InvalidAwsSnapshot:json", where=where, detail=str(error)[:120]) from None
    if too_deep(data, MAX_DEPTH):
        raise AwsSnapshotError("InvalidAwsSnapshot:too_deep", where=where, limit=MAX_DEPTH)
    return data


def _add(bucket: Bucket, data, where: Where) -> bool:
    """Put the describe keys of one JSON object into the bucket; False if it holds none."""
    if not isinstance(data, dict):
        raise AwsSnapshotError("InvalidAwsSnapshot:not_object", where=where, found=type(data).__name__)
    found = False
    for key in KEYS:
        if key not in data:
            continue
        value = data[key]
        if key in SINGLE_KEYS:  # one object per Region, not a list: kept as a list of one, at its own place
            if not isinstance(value, dict):
                raise AwsSnapshotError("InvalidAwsSnapshot:type", where=where.key(key), expected="object")
            bucket.items.setdefault(key, []).append((value, where.key(key)))
            found = True
            continue
        if not isinstance(value, list):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=where.key(key), expected="list")
        bucket.items.setdefault(key, []).extend((item, where.key(key).index(n)) for n, item in enumerate(value))
        found = True
    return found


def _region_of(parts: tuple[str, ...]) -> str | None:
    return next((part for part in parts if REGION_NAME.fullmatch(part)), None)


def from_data(data, name: str = "(data)") -> list[Bucket]:
    """Buckets from one combined structure: describe keys at the top, or nested by Region name."""
    where = Where(name, "")
    if not isinstance(data, dict):
        raise AwsSnapshotError("InvalidAwsSnapshot:not_object", where=where, found=type(data).__name__)
    flat = Bucket(None, where)
    if _add(flat, data, where):
        return [flat]
    buckets = []
    for key, value in data.items():
        if isinstance(key, str) and REGION_NAME.fullmatch(key):
            bucket = Bucket(key, where.key(key))
            _add(bucket, value, where.key(key))
            buckets.append(bucket)
    if not buckets:
        raise AwsSnapshotError("InvalidAwsSnapshot:no_keys", where=where, keys=", ".join(MODEL_KEYS[:4]))
    return buckets


def read(path) -> list[Bucket]:
    """The buckets of a snapshot on disk (a folder or one combined JSON file), in a stable order."""
    path = Path(path)
    if path.is_file():
        return from_data(parse_json(_read_bytes(path, Where(path.name, "")), Where(path.name, "")), path.name)
    if not path.is_dir():
        raise AwsSnapshotError("InvalidAwsSnapshot:not_found", where=Where(str(path), ""))
    root = path / "aws_configs" if (path / "aws_configs").is_dir() else path
    files = []
    for count, file in enumerate(sorted(p for p in root.rglob("*.json") if p.is_file()), 1):
        if count > MAX_FILES:
            raise AwsSnapshotError("InvalidAwsSnapshot:too_many_files", where=Where(str(root), ""), limit=MAX_FILES)
        files.append(file)
    total = 0
    buckets: dict[tuple[str, str | None], Bucket] = {}
    for file in files:
        relative = file.relative_to(root)
        where = Where(relative.as_posix(), "")
        raw = _read_bytes(file, where)
        total += len(raw)
        if total > MAX_TOTAL_BYTES:
            raise AwsSnapshotError("InvalidAwsSnapshot:too_large", where=where, limit=MAX_TOTAL_BYTES)
        # The folders above a file name its account and Region; files of one folder form one bucket.
        folder, region = relative.parent.as_posix(), _region_of(relative.parent.parts)
        bucket = buckets.get((folder, region)) or Bucket(region, where)
        if _add(bucket, parse_json(raw, where), where):
            buckets[(folder, region)] = bucket
    if not buckets:
        raise AwsSnapshotError("InvalidAwsSnapshot:no_keys", where=Where(str(root), ""), keys=", ".join(MODEL_KEYS[:4]))
    return list(buckets.values())


def _read_bytes(file: Path, where: Where) -> bytes:
    """The file's bytes, refusing a huge one before reading it (and one that grows while read)."""
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            raise AwsSnapshotError("InvalidAwsSnapshot:too_large", where=where, limit=MAX_FILE_BYTES)
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise AwsSnapshotError("InvalidAwsSnapshot:unreadable", where=where, detail=error.strerror or "") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AwsSnapshotError("InvalidAwsSnapshot:too_large", where=where, limit=MAX_FILE_BYTES)
    return raw
