"""VPC Block Public Access: the account's switch that closes every internet gateway path in the Region,
whatever the routes and security groups say, and its exclusions (fact sheet §14).

The engine checks it before routes and groups (``VPC_BLOCK_PUBLIC_ACCESS_ENABLED``). AWS documents no
error codes for these verbs (fact sheet §14.4, §18); the choices are in docs/modelling-choices.md.
"""

from __future__ import annotations

from .errors import DuplicateError, InvalidParameterError, LimitExceededError
from .resources import (
    BlockPublicAccessMode,
    ExclusionMode,
    Subnet,
    Vpc,
    VpcBlockPublicAccessExclusion,
    VpcBlockPublicAccessOptions,
)
from .state import LabState, _short

EXCLUSIONS_PER_ACCOUNT = 50  # fact sheet §14.4


def _mode(enum_type, value, parameter: str):
    if isinstance(value, enum_type):
        return value
    for member in enum_type:
        if isinstance(value, str) and value.strip().lower() == member.value:
            return member
    raise InvalidParameterError(
        "InvalidParameterValue",
        "InvalidParameterValue:bpa_mode",
        parameter=parameter,
        value=_short(value),
        allowed=", ".join(m.value for m in enum_type),
    )


class BlockPublicAccessVerbs(LabState):
    def modify_vpc_block_public_access_options(self, internet_gateway_block_mode: str) -> VpcBlockPublicAccessOptions:
        """Set the Region's mode: ``"off"``, ``"block-bidirectional"`` or ``"block-ingress"``.

        ``block-ingress`` still lets NAT gateways and egress-only internet gateways carry connections
        that start inside. Returns ``lab.block_public_access`` (one live object).
        """
        mode = _mode(BlockPublicAccessMode, internet_gateway_block_mode, "internet_gateway_block_mode")
        self.block_public_access.internet_gateway_block_mode = mode
        return self.block_public_access

    def describe_vpc_block_public_access_options(self) -> VpcBlockPublicAccessOptions:
        return self.block_public_access

    def create_vpc_block_public_access_exclusion(
        self, vpc: Vpc | str | None = None, subnet: Subnet | str | None = None, mode: str = "allow-bidirectional"
    ) -> VpcBlockPublicAccessExclusion:
        """Leave one VPC (and all its subnets) or one subnet open: ``"allow-bidirectional"``, or
        ``"allow-egress"`` (outbound only; it matters only in ``block-bidirectional`` mode).

        Exclusions may be made while the mode is ``off``, ready for when it is turned on.

        Raises:
            InvalidParameterError: ``MissingParameter`` / ``InvalidParameterCombination`` unless
                exactly one of ``vpc`` and ``subnet`` is given; ``InvalidParameterValue`` (mode).
            DuplicateError: ``InvalidParameterValue`` if that VPC or subnet already has one.
            LimitExceededError: past 50 exclusions.
        """
        if vpc is None and subnet is None:
            raise InvalidParameterError("MissingParameter", "MissingParameter:exclusion_target")
        if vpc is not None and subnet is not None:
            raise InvalidParameterError("InvalidParameterCombination", "InvalidParameterCombination:exclusion_target")
        found_vpc = self._get("vpc", vpc) if vpc is not None else None
        found_subnet = self._get("subnet", subnet) if subnet is not None else None
        parsed = _mode(ExclusionMode, mode, "internet_gateway_exclusion_mode")
        target = found_vpc or found_subnet
        for other in self.block_public_access_exclusions.values():
            if other.resource is target:
                raise DuplicateError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:duplicate_exclusion",
                    id=target.id,
                    exclusion=other.id,
                )
        if len(self.block_public_access_exclusions) >= EXCLUSIONS_PER_ACCOUNT:
            raise LimitExceededError("ExclusionLimitExceeded", limit=EXCLUSIONS_PER_ACCOUNT)
        exclusion = VpcBlockPublicAccessExclusion(self._new_id("vpcbpa-exclude"), parsed, found_vpc, found_subnet)
        self.block_public_access_exclusions[exclusion.id] = exclusion
        return exclusion

    def modify_vpc_block_public_access_exclusion(self, exclusion, mode: str) -> VpcBlockPublicAccessExclusion:
        found = self._get("vpcbpa-exclude", exclusion, "exclusion")
        found.mode = _mode(ExclusionMode, mode, "internet_gateway_exclusion_mode")
        return found

    def delete_vpc_block_public_access_exclusion(self, exclusion) -> None:
        found = self._get("vpcbpa-exclude", exclusion, "exclusion")
        del self.block_public_access_exclusions[found.id]
        self._bury(found)
