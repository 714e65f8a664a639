"""``LabCore``: the EC2 verbs of one offline account, assembled from one module per resource family."""

from __future__ import annotations

from .history import record_verbs
from .restore import restore_in_place
from .serialization import SerializationMixin
from .verbs_bpa import BlockPublicAccessVerbs
from .verbs_compute import ComputeVerbs
from .verbs_filtering import FilteringVerbs
from .verbs_network import NetworkVerbs
from .verbs_routing import RoutingVerbs


@record_verbs
class LabCore(NetworkVerbs, RoutingVerbs, ComputeVerbs, FilteringVerbs, BlockPublicAccessVerbs, SerializationMixin):
    """One AWS account in one Region, offline. Every change goes through a method named after its
    EC2 API action; a call that raises leaves the lab exactly as it was."""

    def restore(self, text: str) -> None:
        """Return to a state saved with ``to_json``, keeping the objects already handed out live."""
        restore_in_place(self, text)
