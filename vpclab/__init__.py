"""vpclab: how an AWS VPC reaches the internet, as an offline, bilingual teaching lab.

Start with ``lab = vpclab.Lab()`` (one offline AWS account in Seoul) and
``vpclab.set_language("ko")`` or ``"en"``; the lessons are in ``notebooks/``.
"""

from .lab import Lab
from .model.errors import (
    AlreadyAssociatedError,
    AwsSnapshotError,
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


def _guard_reruns() -> None:
    # In a Jupyter kernel, running a cell again first puts the labs back as they were before it ran.
    # A kernel has imported IPython already; anywhere else, importing vpclab stays light.
    import sys

    if "IPython" in sys.modules:
        from .widgets.rerun import install

        install()


_guard_reruns()


def diagram(lab, highlight=None, lang=None):
    """The lab's connectivity diagram as a ``graphviz.Digraph`` (see ``vpclab.render.diagram``)."""
    from .render.diagram import diagram as draw

    return draw(lab, highlight=highlight, lang=lang)


def check(assignment: str, lab):
    """Your progress on an assignment (or on a lesson's task, by its id): each check passed or not, with
    a hint that grows more precise each time you ask (a nudge, then the concept, then the exact fix)."""
    from .grading.tasks import TASKS

    if assignment in TASKS:
        from .grading.tasks import progress as task_progress

        return task_progress(TASKS[assignment], lab)
    from .grading.feedback import progress

    return progress(assignment, lab)


def practice(task_id: str):
    """A lesson's hands-on task: ``.lab`` to change (in code or in the Console, ``goal=``), ``.check()``."""
    from .practice_labs import Practice

    return Practice(task_id)


def quiz(quiz_id: str):
    """A "predict, then check" question from the lessons, with instant feedback (ipywidgets)."""
    from .widgets.quiz import Quiz

    return Quiz(quiz_id)


def __getattr__(name: str):
    # ``vpclab.Console`` (ipywidgets) is imported on first use, so plain ``import vpclab`` stays light.
    if name == "Console":
        from .widgets.console import Console

        return Console
    if name in ("scenarios", "grading"):  # ``vpclab.scenarios.classroom()`` works after a plain ``import vpclab``
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'vpclab' has no attribute {name!r}")


__all__ = [
    "AlreadyAssociatedError",
    "AwsSnapshotError",
    "Console",
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
    "check",
    "diagram",
    "get_language",
    "practice",
    "quiz",
    "set_language",
]
