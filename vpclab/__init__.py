"""vpclab: how an AWS VPC reaches the internet, as an offline, bilingual teaching lab.

    import vpclab
    vpclab.set_language("ko")
    lab = vpclab.Lab()
"""

from .lab import Lab
from .model.errors import (
    AlreadyAssociatedError,
    DependencyViolationError,
    DuplicateError,
    IncorrectStateError,
    InvalidParameterError,
    LabFileError,
    LimitExceededError,
    NotFoundError,
    VpcLabError,
)
from .model.i18n import get_language, set_language
from .model.resources import (
    ElasticIp,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
)

__version__ = "0.1.0"

__all__ = [
    "AlreadyAssociatedError",
    "DependencyViolationError",
    "DuplicateError",
    "ElasticIp",
    "IncorrectStateError",
    "Instance",
    "InternetGateway",
    "InvalidParameterError",
    "Lab",
    "LabFileError",
    "LimitExceededError",
    "NatGateway",
    "NetworkAcl",
    "NotFoundError",
    "RouteTable",
    "SecurityGroup",
    "Subnet",
    "Vpc",
    "VpcLabError",
    "get_language",
    "set_language",
]
