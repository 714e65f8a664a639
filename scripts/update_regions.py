#!/usr/bin/env python3
"""Regenerate ``vpclab/data/regions.json``: every commercial AWS Region and its EC2 public IPv4 prefixes.

Usage:
    python3 scripts/update_regions.py IP_RANGES_JSON [SOURCE_NOTE]

The Regions are those of the ``aws`` partition in the installed botocore's ``data/endpoints.json``
(``pip install botocore``); the prefixes are the ``service: EC2`` IPv4 entries of a copy of AWS's
``ip-ranges.json`` (https://ip-ranges.amazonaws.com/ip-ranges.json) whose ``network_border_group`` is
the Region itself (Local Zones and Wavelength Zones have their own groups). The file records the
botocore version, the ``createDate`` and ``syncToken`` of ip-ranges.json, and SOURCE_NOTE (where that
copy came from), so that a reader can tell how old the data is.
"""

from __future__ import annotations

import json
import sys
from ipaddress import IPv4Network
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "vpclab" / "data" / "regions.json"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    import botocore

    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    partition = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
    ranges = json.loads(Path(argv[1]).read_text())
    regions = {}
    for name, info in sorted(partition["regions"].items()):
        prefixes = sorted(
            {
                IPv4Network(p["ip_prefix"])
                for p in ranges["prefixes"]
                if p["service"] == "EC2" and p["region"] == name and p.get("network_border_group", name) == name
            },
            key=lambda n: (int(n.network_address), n.prefixlen),
        )
        regions[name] = {"description": info.get("description", ""), "ec2_prefixes": [str(p) for p in prefixes]}
    data = {
        "source": {
            "regions": f"botocore {botocore.__version__}, data/endpoints.json, partition aws",
            "ec2_prefixes": f"AWS ip-ranges.json, createDate {ranges['createDate']}, syncToken {ranges['syncToken']}",
            "ec2_prefixes_copy": argv[2] if len(argv) == 3 else "",
            "generated_by": "scripts/update_regions.py",
        },
        "regions": regions,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(regions)} Regions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
