"""Sets of IPv4 addresses as sorted, disjoint, inclusive integer intervals.

The exposure report reasons about whole address ranges at once ("which CIDRs can reach port 22?")
instead of one address at a time; rules are CIDRs, so the sets stay small.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network

Intervals = tuple[tuple[int, int], ...]
EMPTY: Intervals = ()
EVERYTHING: Intervals = ((0, 2**32 - 1),)


def of(network: IPv4Network) -> Intervals:
    return ((int(network.network_address), int(network.broadcast_address)),)


def union(a: Intervals, b: Intervals) -> Intervals:
    merged: list[list[int]] = []
    for lo, hi in sorted((*a, *b)):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def intersect(a: Intervals, b: Intervals) -> Intervals:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: Intervals, b: Intervals) -> Intervals:
    return intersect(a, complement(b))


def complement(a: Intervals) -> Intervals:
    out, start = [], 0
    for lo, hi in a:
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= 2**32 - 1:
        out.append((start, 2**32 - 1))
    return tuple(out)


def contains(a: Intervals, address: IPv4Address) -> bool:
    value = int(address)
    return any(lo <= value <= hi for lo, hi in a)


def first(a: Intervals) -> IPv4Address | None:
    return IPv4Address(a[0][0]) if a else None


def to_cidrs(a: Intervals) -> list[IPv4Network]:
    """The fewest CIDRs that cover exactly ``a`` (as ``ipaddress.summarize_address_range`` gives)."""
    out = []
    for lo, hi in a:
        while lo <= hi:
            # The largest aligned block that starts at ``lo`` and ends within ``hi``.
            bits = min((lo & -lo).bit_length() - 1 if lo else 32, (hi - lo + 1).bit_length() - 1)
            out.append(_network(lo, 32 - bits))
            lo += 1 << bits
    return out


@lru_cache(maxsize=65536)
def _network(address: int, prefixlen: int) -> IPv4Network:
    # Building IPv4Network objects dominates a large exposure report; the same holes recur.
    return IPv4Network((address, prefixlen))
