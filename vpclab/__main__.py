"""``python -m vpclab`` / ``vpclab``: command-line entry point."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from . import __version__

    parser = argparse.ArgumentParser(prog="vpclab", description="vpclab: an offline AWS VPC teaching lab")
    parser.add_argument("--version", action="version", version=f"vpclab {__version__}")
    parser.parse_args(argv)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
