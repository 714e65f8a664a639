"""``Lab``: the public face of vpclab, one offline AWS account in one Region.

The EC2 verbs and the state live in the model layer (``LabCore``); this class adds the questions
that need the layers above it (connectivity, displays), so that every layer imports only downward.
"""

from __future__ import annotations

from .engine.analysis import Analysis, analyze
from .engine.exposure import ExposureReport, exposure
from .engine.routing import internet_gateway_route
from .model.core import LabCore
from .model.regions import DEFAULT_REGION
from .model.resources import register_display


def _resource_html(resource) -> str:
    # The render layer is imported on first display, so ``import vpclab`` stays light.
    from .render.tables import resource_html

    return resource_html(resource)


register_display("html", _resource_html)


class Lab(LabCore):
    """One AWS account in one Region, offline: ``vpclab.Lab()`` is Region ap-northeast-2 (Seoul).

    Build a network with the EC2 verbs (``create_vpc``, ``attach_internet_gateway``,
    ``create_route``, ``run_instance``, ``associate_address`` ...). A call AWS would refuse raises
    ``VpcLabError`` with AWS's error code and a message in Korean and English, and changes nothing.
    """

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        super().__init__(region)

    def is_public(self, subnet) -> bool:
        """Is the subnet public: does its route table send traffic to an attached internet gateway?"""
        return internet_gateway_route(self, self._get("subnet", subnet)) is not None

    def analyze(self, source, destination, protocol="tcp", port=None, source_port=None, ip_version=None) -> Analysis:
        """Can this packet get through, and if not, what stops it? (like VPC Reachability Analyzer)

        Args:
            source, destination: an ``Instance`` (or its id); an IP address string (an internet
                host, a private address in the lab, or a public address of the lab, which sends
                the packet out through the gateway and back in); or ``"internet"`` (some internet
                host: the analysis names the one it used).
            protocol: ``"tcp"``, ``"udp"``, ``"icmp"`` or ``"-1"`` (any).
            port: the destination port (for ICMP the type; 8 is echo request). None: some port,
                named in the result.
            source_port: the client's port. Default 32768, the first ephemeral port of a Linux
                client (Linux uses 32768-60999, Windows 49152-65535, a NAT gateway 1024-65535):
                network ACLs must let replies out to it.
            ip_version: 4 or 6. With 6, an instance endpoint is its (first) IPv6 address and
                ``"internet"`` some IPv6 internet host; an IPv6 address endpoint implies 6. IPv6 is
                where vpclab goes past Reachability Analyzer, which analyses IPv4 only.

        Returns:
            ``Analysis``: ``reachable``, ``code`` and ``blocked_at`` of the first component that
            blocks, ``forward`` and ``return_`` hops, ``explain(lang)`` with the fix.
        """
        return analyze(self, source, destination, protocol, port, source_port, ip_version)

    def exposure(self) -> ExposureReport:
        """The audit view: for every instance, what the internet can reach on it (protocols, ports,
        source CIDRs) and whether it can reach the internet itself (HTTPS) and through which
        gateway — each with the code of what blocks the rest."""
        return exposure(self)

    # ---- from a real account (vpclab.bridge) --------------------------------------------------
    @classmethod
    def from_aws(cls, path, region: str | None = None) -> Lab:
        """A real account's network, from the JSON of ``aws ec2 describe-*`` calls.

        Args:
            path: a folder ``aws_configs/[account/][region/]*.json`` (or the folder holding
                ``aws_configs``, or any folder of such files, e.g. cloudmapper's ``ec2-describe-*.json``),
                each file read by its top-level key (``Vpcs``, ``Subnets``, ``Reservations`` ...), not its
                name; or one JSON file holding several of those keys, optionally nested by Region.
            region: the Region of files that no folder and no subnet zone names (default: the lab's default).

        Returns:
            A new ``Lab``: real ids kept, one VPC per VPC of the account (``vpc.region`` set for the
            VPCs of a Region other than ``lab.region``, the first VPC's), and ``lab.unsupported``, what
            the model does not cover. ``analyze`` answers ``reachable=None`` with
            ``UNSUPPORTED_COMPONENT`` where a path crosses one of those.

        Raises:
            AwsSnapshotError: ``InvalidAwsSnapshot`` naming the file and the field at fault; nothing is loaded.
        """
        from .bridge.aws_files import read
        from .bridge.aws_import import build

        return build(cls, read(path), region)

    @classmethod
    def from_boto3(cls, ec2_client) -> Lab:
        """The same as ``from_aws``, read live through a boto3 EC2 client (``pip install vpclab[aws]``):
        the describe calls of the client's Region, every page of each."""
        from .bridge.aws_files import from_data
        from .bridge.aws_import import build
        from .bridge.aws_live import read_live

        return build(cls, from_data(read_live(ec2_client), "(boto3)"))

    # ---- to a real account (vpclab.bridge) ----------------------------------------------------
    def to_terraform(self, region: str | None = None) -> str:
        """The network as it is now, as Terraform HCL for the hashicorp/aws provider (``main.tf``).

        ``region``: for a lab imported from several Regions, the one to export (one file per Region).
        """
        from .bridge.terraform import to_terraform

        return to_terraform(self, region=region)

    def to_cloudformation(self, region: str | None = None) -> str:
        """The network as it is now, as a CloudFormation template (YAML).

        ``region``: for a lab imported from several Regions, the one to export (one file per Region).
        """
        from .bridge.cloudformation import to_cloudformation

        return to_cloudformation(self, region=region)

    def to_aws_cli(self, region: str | None = None) -> str:
        """The network as it is now, as a bash script of ``aws ec2`` commands in dependency order.

        ``region``: for a lab imported from several Regions, the one to export (one file per Region).
        """
        from .bridge.aws_cli import to_aws_cli

        return to_aws_cli(self, region=region)

    def cost(self, hours=730, currency="USD", nat_data_gb=0.0, krw_per_usd=None, data_out_gb=0.0):
        """What this network would cost in a real account for ``hours`` (730: about a month).

        Every public IPv4 address is billed by the hour, in use or idle; a NAT gateway by the hour
        and per GB processed; data sent out to the internet per GB after a free 100 GB a month;
        gateways, route tables, security groups and ACLs are free. Prices are the lab's Region's;
        they and their sources are in ``vpclab/data/prices.json``. KRW amounts exclude Korean VAT
        (10 %); the report shows the total with it too.

        Args:
            currency: ``"USD"`` or ``"KRW"``.
            nat_data_gb: gigabytes the NAT gateways process in that time.
            krw_per_usd: the exchange rate for ``"KRW"`` (default: the one in the data file).
            data_out_gb: gigabytes sent out to the internet in that time (through either gateway).

        Returns:
            ``CostReport``: one line per billable item and the free ones, ``total``, ``to_text(lang)``.

        Raises:
            InvalidParameterError: ``InvalidParameterValue`` for negative numbers or another currency.
        """
        from .bridge.cost import cost

        return cost(self, hours, currency, nat_data_gb, krw_per_usd, data_out_gb)

    def __repr__(self) -> str:
        return f"Lab(region={self.region!r})"

    def _repr_html_(self) -> str:
        from .render.display import lab_display_html

        return lab_display_html(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # With a kernel: the diagram drawn in the browser (no system Graphviz needed); the HTML
        # beside it is the static fallback for viewers without one.
        from .render.live import lab_bundle

        return lab_bundle(self)
