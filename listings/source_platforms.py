"""Which source platforms exist, and how each is named in Kuaishou's supply report.

The domain needs two facts of a source platform and nothing else: its name (the key in migrations
and listings) and how a truthful report names it (`platformName` of a move, scene 2; and, for a
supplier network such as 1688, the `seller.platform` enum its distributed offers are reported
with, scene 1). The four built-in sources are declared here, as the DESIGN.md table states them; a
new source connector registers its own `SourceIdentity` (`connectors.sources.register`), so adding a
platform edits nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BUILT_IN",
    "SourceIdentity",
    "UnknownSourcePlatformError",
    "identity_of",
    "known_platforms",
    "register_identity",
]


@dataclass(frozen=True)
class SourceIdentity:
    """A source platform as the supply report must name it.

    - `name`: lower-case key (`taobao`), used in migrations, listings and ids;
    - `report_name`: `platformName` when a merchant's own shop there is moved (scene 2);
    - `distribution_platform`: the `seller.platform` enum when its offers are distributed (scene 1),
      or None where distributing from it has no truthful report (a shop is moved, not distributed).
    """

    name: str
    report_name: str
    distribution_platform: int | None = None


BUILT_IN: tuple[SourceIdentity, ...] = (
    SourceIdentity("taobao", "淘宝"),
    SourceIdentity("tmall", "天猫"),
    SourceIdentity("pinduoduo", "拼多多"),
    SourceIdentity("alibaba1688", "1688", distribution_platform=1),
)

_REGISTERED: dict[str, SourceIdentity] = {identity.name: identity for identity in BUILT_IN}


class UnknownSourcePlatformError(ValueError):
    """A platform name no connector registered."""


def register_identity(identity: SourceIdentity) -> None:
    """Make a source platform known (idempotent for the same identity; a different one with the
    same name is refused, so two connectors never claim one platform)."""
    known = _REGISTERED.get(identity.name)
    if known is not None and known != identity:
        raise ValueError(f"source platform {identity.name!r} is registered already as {known}")
    _REGISTERED[identity.name] = identity


def identity_of(name: str) -> SourceIdentity:
    try:
        return _REGISTERED[name]
    except KeyError:
        raise UnknownSourcePlatformError(
            f"unknown source platform {name!r}; known: {', '.join(known_platforms())}"
        ) from None


def known_platforms() -> list[str]:
    return sorted(_REGISTERED)
