"""IPv6: Amazon-provided VPC blocks, subnet /64s, instance addresses, the egress-only internet gateway
(fact sheet §12 and §13).

IPv6 addresses are public by nature: the internet gateway carries them with no translation, and the
egress-only internet gateway lets only connections that start inside go out. Where AWS's error code is
unknown (fact sheet §18) the choice is written next to the refusal and in docs/modelling-choices.md.
"""

from __future__ import annotations

from ipaddress import IPv6Address, IPv6Network

from .addressing import ANYWHERE, ANYWHERE_V6, Protocol, parse_ip_any, parse_ipv6_cidr
from .errors import (
    DependencyViolationError,
    IncorrectStateError,
    InvalidParameterError,
    LimitExceededError,
    NotFoundError,
)
from .ipv6_pool import SUBNET_IPV6_PREFIX
from .resources import (
    LOCAL,
    Action,
    EgressOnlyInternetGateway,
    Instance,
    InstanceState,
    NetworkAclEntry,
    Route,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from .state import LabState, _short
from .verbs_compute import IPV6_PER_INTERFACE

IPV6_CIDRS_PER_VPC = 5  # fact sheet §12.1: 5 /56s per VPC by default
DEFAULT_ACL_IPV6_RULE = 101  # the default ACL's "allow ::/0", next to rule 100's "allow 0.0.0.0/0"
IPV6_RESERVED_LOW = 4  # "::", "::1" (router), "::2", "::3"; the last address of the /64 is reserved too


def first_free_ipv6_subnet(lab, vpc: Vpc, blocks=None) -> IPv6Network | None:
    """The lowest /64 of the VPC's IPv6 blocks (or of ``blocks``) that no subnet holds, or None."""
    taken = {s.ipv6_cidr_block for s in lab.subnets.values()}
    for block in vpc.ipv6_cidr_blocks if blocks is None else blocks:
        for candidate in block.subnets(new_prefix=SUBNET_IPV6_PREFIX):
            if candidate not in taken:
                return candidate
    return None


class Ipv6Verbs(LabState):
    # ---- the VPC's /56 -------------------------------------------------------------------------
    def _associate_ipv6_block(self, vpc: Vpc) -> str:
        if len(vpc.ipv6_cidr_blocks) >= IPV6_CIDRS_PER_VPC:
            raise LimitExceededError("CidrLimitExceeded", vpc_id=vpc.id, limit=IPV6_CIDRS_PER_VPC)
        first = not vpc.ipv6_cidr_blocks
        block = self._new_ipv6_block(vpc)
        vpc.ipv6_cidr_blocks.append(block)
        vpc.ipv6_cidr_association_ids.append(self._new_id("vpc-cidr-assoc"))
        for table in self.route_tables.values():
            if table.vpc is vpc:
                table.routes[block] = Route(block, LOCAL, LOCAL, vpc, origin="CreateRouteTable")
        if first:
            self._add_default_ipv6_rules(vpc)
        return vpc.ipv6_cidr_association_ids[-1]

    def _add_default_ipv6_rules(self, vpc: Vpc) -> None:
        """What AWS adds with a VPC's first IPv6 block (fact sheet §12.3), only where the rules are as AWS made them.

        The default ACL gets rule 101 "allow ::/0" in each direction whose entries are still exactly
        rule 100 "allow 0.0.0.0/0"; every group whose outbound rules are still exactly "all to
        0.0.0.0/0" gets "all to ::/0".
        """
        acl = vpc.default_network_acl
        for egress in (False, True):
            mine = [e for e in acl.entries.values() if e.egress == egress]
            untouched = len(mine) == 1 and mine[0] == NetworkAclEntry(
                100, egress, Protocol.ALL, None, ANYWHERE, Action.ALLOW
            )
            if untouched and (egress, DEFAULT_ACL_IPV6_RULE) not in acl.entries:
                acl.entries[(egress, DEFAULT_ACL_IPV6_RULE)] = NetworkAclEntry(
                    DEFAULT_ACL_IPV6_RULE, egress, Protocol.ALL, None, ANYWHERE_V6, Action.ALLOW
                )
        for group in self.security_groups.values():
            if group.vpc is vpc and [r.key for r in group.egress] == [(True, Protocol.ALL, None, ANYWHERE, None)]:
                group.rules.append(
                    SecurityGroupRule(True, Protocol.ALL, None, cidr=ANYWHERE_V6, rule_id=self._new_id("sgr"))
                )

    # ---- the subnet's /64 ----------------------------------------------------------------------
    def _check_subnet_ipv6(self, vpc: Vpc, ipv6_cidr, subnet: Subnet | None = None) -> IPv6Network:
        block = parse_ipv6_cidr(ipv6_cidr)
        if block.prefixlen != SUBNET_IPV6_PREFIX:
            # Fact sheet §12.1/§12.4: a /60 from an Amazon /56 was refused this way; only /64 is accepted.
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:ipv6_subnet_size", cidr=str(block)
            )
        if not any(block.subnet_of(c) for c in vpc.ipv6_cidr_blocks):
            raise InvalidParameterError(
                "InvalidSubnet.Range",
                "InvalidSubnet.Range:ipv6",
                cidr=str(block),
                vpc_cidrs=", ".join(map(str, vpc.ipv6_cidr_blocks)) or "—",
            )
        for other in self.subnets.values():
            if other is not subnet and other.vpc is vpc and other.ipv6_cidr_block == block:
                raise InvalidParameterError(
                    "InvalidSubnet.Conflict", cidr=str(block), subnet_id=other.id, other=str(other.ipv6_cidr_block)
                )
        return block

    def associate_subnet_cidr_block(self, subnet: Subnet | str, ipv6_cidr: str) -> str:
        """Give a subnet its IPv6 /64 (one per subnet). Returns the association id.

        Raises:
            InvalidParameterError: ``InvalidSubnet.Range`` (outside the VPC's IPv6 blocks),
                ``InvalidSubnet.Conflict`` (another subnet has it), ``InvalidParameterValue``
                (not a /64, or the subnet already has one).
        """
        subnet = self._get("subnet", subnet)
        block = self._check_subnet_ipv6(subnet.vpc, ipv6_cidr, subnet)
        if subnet.ipv6_cidr_block is not None:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:subnet_has_ipv6",
                subnet_id=subnet.id,
                cidr=str(subnet.ipv6_cidr_block),
            )
        subnet.ipv6_cidr_block, subnet.ipv6_cidr_association_id = block, self._new_id("subnet-cidr-assoc")
        return subnet.ipv6_cidr_association_id

    def disassociate_subnet_cidr_block(self, association_id: str) -> None:
        """Take a subnet's IPv6 /64 away (by its association id), once nothing uses it."""
        subnet = next(
            (s for s in self.subnets.values() if s.ipv6_cidr_association_id == association_id and association_id),
            None,
        )
        if subnet is None:
            raise NotFoundError("InvalidSubnetCidrBlockAssociationID.NotFound", id=_short(association_id))
        if subnet.assign_ipv6_address_on_creation:
            raise DependencyViolationError("InvalidCidrBlock.InUse", association_id=association_id, subnet_id=subnet.id)
        if subnet.used_ipv6_addresses:
            raise DependencyViolationError(
                "InvalidCidrBlock.InUse",
                "InvalidCidrBlock.InUse:addresses",
                association_id=association_id,
                subnet_id=subnet.id,
                blockers=", ".join(sorted(set(subnet.used_ipv6_addresses.values()))),
            )
        subnet.ipv6_cidr_block = subnet.ipv6_cidr_association_id = None

    def _claim_ipv6(self, subnet: Subnet, count: int) -> list[IPv6Address]:
        """``count`` free addresses of the subnet's /64, lowest first after the four reserved ones."""
        base = subnet.ipv6_cidr_block.network_address
        found, candidate = [], base + IPV6_RESERVED_LOW
        while len(found) < count:
            if candidate not in subnet.used_ipv6_addresses:
                found.append(candidate)
            candidate += 1
        return found

    # ---- a running instance's addresses (AssignIpv6Addresses / UnassignIpv6Addresses) ----------
    def assign_ipv6_addresses(
        self, instance: Instance | str, ipv6_address_count: int | None = None, ipv6_addresses=None
    ) -> list[IPv6Address]:
        """Give an instance's network interface more IPv6 addresses of its subnet's /64 (fact sheet §12.1).

        Either ``ipv6_address_count`` (the lowest free addresses, as at launch) or ``ipv6_addresses``
        (specific ones), as EC2 asks: "You must specify either the IPv6 addresses or the IPv6 address
        count". A running or stopped instance may get them; the address stays through stop and start.

        Returns:
            The addresses assigned by this call.

        Raises:
            InvalidParameterError: ``MissingParameter`` / ``InvalidParameterCombination`` unless exactly
                one of the two is given; ``InvalidParameterValue`` for a count below 1 or past the
                interface's limit, for a subnet without an IPv6 block, and for an address outside the
                subnet's /64 or reserved; ``InvalidIPAddress.InUse`` for an address someone holds.
            IncorrectStateError: ``InvalidInstanceID`` for a terminated instance (its interface is gone).
        """
        instance = self._get("i", instance)
        if ipv6_address_count is None and ipv6_addresses is None:
            raise InvalidParameterError("MissingParameter", "MissingParameter:ipv6_addresses")
        if ipv6_address_count is not None and ipv6_addresses is not None:
            raise InvalidParameterError(
                "InvalidParameterCombination", "InvalidParameterCombination:ipv6_count_and_addresses"
            )
        if instance.state is InstanceState.TERMINATED:
            raise IncorrectStateError("InvalidInstanceID", "InvalidInstanceID:terminated", instance_id=instance.id)
        subnet = instance.subnet
        if ipv6_address_count is not None and (
            isinstance(ipv6_address_count, bool) or not isinstance(ipv6_address_count, int) or ipv6_address_count < 1
        ):
            # AWS's code for a count below 1 is not documented: the code EC2 gives other bad values.
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:ipv6_assign_count", value=_short(ipv6_address_count)
            )
        if subnet.ipv6_cidr_block is None:
            # As at launch (docs/modelling-choices.md, IPv6): the subnet has no /64 to draw from.
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:ipv6_without_block", subnet_id=subnet.id
            )
        wanted = self._wanted_ipv6(instance, ipv6_addresses) if ipv6_addresses is not None else None
        count = len(wanted) if wanted is not None else ipv6_address_count
        if len(instance.ipv6_addresses) + count > IPV6_PER_INTERFACE:
            # EC2 names no IPv6 code for this in the sources read; the limit is per instance type.
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:ipv6_per_interface",
                instance_id=instance.id,
                limit=IPV6_PER_INTERFACE,
                held=len(instance.ipv6_addresses),
            )
        added = wanted if wanted is not None else self._claim_ipv6(subnet, count)
        for address in added:
            subnet.used_ipv6_addresses[address] = instance.id
        instance.ipv6_addresses.extend(added)
        return list(added)

    def _wanted_ipv6(self, instance: Instance, ipv6_addresses) -> list[IPv6Address]:
        """Specific addresses asked for: each inside the subnet's /64, not reserved, free, and named once."""
        subnet = instance.subnet
        values = [ipv6_addresses] if isinstance(ipv6_addresses, str | IPv6Address) else ipv6_addresses
        if not isinstance(values, list | tuple) or not values:
            raise InvalidParameterError("MissingParameter", "MissingParameter:ipv6_addresses")
        block, wanted = subnet.ipv6_cidr_block, []
        for value in values:
            address = parse_ip_any(value, "ipv6Addresses")
            if not isinstance(address, IPv6Address) or address not in block:
                raise InvalidParameterError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:ipv6_outside_subnet",
                    address=str(address),
                    subnet_id=subnet.id,
                    cidr=str(block),
                )
            if int(address) - int(block.network_address) < IPV6_RESERVED_LOW or address == block.broadcast_address:
                raise InvalidParameterError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:address_reserved",
                    address=str(address),
                    subnet_id=subnet.id,
                )
            owner = subnet.used_ipv6_addresses.get(address) or (instance.id if address in wanted else None)
            if owner:
                raise InvalidParameterError("InvalidIPAddress.InUse", address=str(address), owner=owner)
            wanted.append(address)
        return wanted

    def unassign_ipv6_addresses(self, instance: Instance | str, ipv6_addresses) -> list[IPv6Address]:
        """Take IPv6 addresses back from an instance's network interface; they return to the subnet.

        Returns:
            The addresses taken back.

        Raises:
            InvalidParameterError: ``MissingParameter`` for no address; ``InvalidParameterValue``
                for an address the instance does not hold (AWS's wording not found; the code is
                EC2's for a bad value).
        """
        instance = self._get("i", instance)
        values = [ipv6_addresses] if isinstance(ipv6_addresses, str | IPv6Address) else ipv6_addresses
        if not isinstance(values, list | tuple) or not values:
            raise InvalidParameterError("MissingParameter", "MissingParameter:ipv6_addresses")
        gone: list[IPv6Address] = []
        for value in values:
            address = parse_ip_any(value, "ipv6Addresses")
            if address not in instance.ipv6_addresses or address in gone:
                raise InvalidParameterError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:ipv6_not_assigned",
                    address=str(address),
                    instance_id=instance.id,
                )
            gone.append(address)
        for address in gone:
            instance.ipv6_addresses.remove(address)
            instance.subnet.used_ipv6_addresses.pop(address, None)
        return gone

    # ---- egress-only internet gateways ---------------------------------------------------------
    def create_egress_only_internet_gateway(self, vpc: Vpc | str, name: str | None = None) -> EgressOnlyInternetGateway:
        """An egress-only internet gateway, attached to ``vpc`` at creation (one per VPC).

        Raises:
            InvalidParameterError: ``InvalidParameterValue`` if the VPC already has one (AWS's code
                is not documented; the same as a second internet gateway, fact sheet §1.2, §13).
        """
        vpc, name = self._get("vpc", vpc), self._check_name(name)
        if vpc.egress_only_internet_gateway is not None:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:vpc_has_eigw",
                vpc_id=vpc.id,
                eigw_id=vpc.egress_only_internet_gateway.id,
            )
        gateway = EgressOnlyInternetGateway(self._new_id("eigw"), vpc, name)
        self.egress_only_internet_gateways[gateway.id] = gateway
        vpc.egress_only_internet_gateway = gateway
        return gateway

    def delete_egress_only_internet_gateway(self, eigw: EgressOnlyInternetGateway | str) -> None:
        """Delete it. Routes that name it stay, as ``blackhole``, until they are changed (fact sheet §13)."""
        gateway = self._get("eigw", eigw)
        gateway.deleted = True
        gateway.vpc.egress_only_internet_gateway = None
        del self.egress_only_internet_gateways[gateway.id]
        self._bury(gateway)
