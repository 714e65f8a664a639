"""``Lab``: the public face of vpclab, one offline AWS account in one Region.

The EC2 verbs and the state live in the model layer (``LabCore``); this class adds the questions
that need the layers above it (connectivity, displays), so that every layer imports only downward.
"""

from __future__ import annotations

from .engine.routing import internet_gateway_route
from .model.core import LabCore
from .model.regions import DEFAULT_REGION


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

    def __repr__(self) -> str:
        return f"Lab(region={self.region!r})"

    def _repr_html_(self) -> str:
        from .render.tables import lab_html

        return lab_html(self)
