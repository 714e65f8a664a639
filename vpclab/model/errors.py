"""Errors: every refusal carries the AWS error code verbatim and a message in both languages.

No text lives here: an error holds its AWS ``code``, a message ``key`` into the catalogs (the code
itself, or ``Code:variant`` where AWS uses one code for several situations) and the values that fill
the message's placeholders. Subclasses also inherit the matching builtin, so ``except LookupError``
and ``except ValueError`` work as a Python user expects.
"""

from __future__ import annotations

from .i18n import LANGUAGES, get_language, tr


class VpcLabError(Exception):
    """A call the real EC2 API would refuse (or a lab file that cannot be loaded).

    Attributes:
        code: the AWS error code, e.g. ``"Resource.AlreadyAssociated"``.
        key: the catalog message id.
        values: the values named in the message.
    """

    def __init__(self, code: str, key: str | None = None, **values: object) -> None:
        self.code = code
        self.key = key or code
        self.values = values
        super().__init__(code)

    def message(self, lang: str | None = None) -> str:
        """The message in ``lang`` (``"ko"`` or ``"en"``; default: the chosen language)."""
        return tr(self.key, lang, **self.values)

    def __str__(self) -> str:
        first = get_language()
        second = next(lang for lang in LANGUAGES if lang != first)
        return f"{self.code}: {self.message(first)}\n({second}) {self.message(second)}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r})"

    def _repr_html_(self) -> str:
        from html import escape

        return (
            f'<div class="vpclab-error"><b>{escape(self.code)}</b>: {escape(self.message())}'
            f"<br><small>{escape(self.message(next(x for x in LANGUAGES if x != get_language())))}"
            "</small></div>"
        )


class NotFoundError(VpcLabError, LookupError):
    """``*.NotFound``: an id that names nothing in this lab."""


class InvalidParameterError(VpcLabError, ValueError):
    """``InvalidParameterValue`` and the range/format codes: the request itself is wrong."""


class DuplicateError(VpcLabError, ValueError):
    """``RouteAlreadyExists``, ``InvalidGroup.Duplicate``, ``InvalidPermission.Duplicate`` ..."""


class AlreadyAssociatedError(VpcLabError, ValueError):
    """``Resource.AlreadyAssociated``: the resource is already in use elsewhere."""


class DependencyViolationError(VpcLabError):
    """``DependencyViolation``, ``CannotDelete``, ``InvalidIPAddress.InUse``: something still uses it."""


class IncorrectStateError(VpcLabError):
    """``IncorrectInstanceState``, ``Gateway.NotAttached``: not possible in the current state."""


class LimitExceededError(VpcLabError):
    """``AddressLimitExceeded``, ``RouteLimitExceeded`` ...: an AWS default quota is reached."""


class LabFileError(VpcLabError, ValueError):
    """``InvalidLabFile``: a saved lab that is corrupt, truncated or hostile. Nothing is loaded."""

    def __init__(self, field: str, problem: str, **values: object) -> None:
        super().__init__("InvalidLabFile", f"InvalidLabFile:{problem}", field=field, **values)
        self.field = field


class AwsSnapshotError(VpcLabError, ValueError):
    """``InvalidAwsSnapshot``: ``aws ec2 describe-*`` output that cannot be imported (malformed,
    inconsistent, hostile). ``file`` and ``field`` name the first place at fault, as in
    ``Subnets.json: Subnets[3].CidrBlock``; nothing is loaded."""

    def __init__(self, key: str, where: object, **values: object) -> None:
        super().__init__("InvalidAwsSnapshot", key, where=str(where), **values)
        self.file = getattr(where, "file", str(where))
        self.field = getattr(where, "path", "")
