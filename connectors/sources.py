"""The registry of source platforms: the one place that lists them.

Each source platform is a folder under `connectors/` exposing one `SourceConnector`; registering it
here (one line) makes it known everywhere: migrations accept its name, the pipeline extracts and
parses through it, and the supply report names it as its `identity` says. A connector from
elsewhere (a plugin, a test) registers itself the same way with `register`.
"""

from __future__ import annotations

from connectors.alibaba1688.source import ALIBABA1688_SOURCE
from connectors.pinduoduo.source import PINDUODUO_SOURCE
from connectors.source import SourceConnector
from connectors.taobao.source import TAOBAO_SOURCE, TMALL_SOURCE
from listings.source_platforms import register_identity

__all__ = ["UnknownSourceError", "register", "registered", "source_for"]

_SOURCES: dict[str, SourceConnector] = {}


class UnknownSourceError(LookupError):
    """No connector is registered for a platform name."""


def register(connector: SourceConnector) -> None:
    """Make `connector` the source of its platform (and its platform a known name)."""
    register_identity(connector.identity)
    _SOURCES[connector.identity.name] = connector


def source_for(platform: str) -> SourceConnector:
    """The connector of a source platform."""
    try:
        return _SOURCES[str(platform)]
    except KeyError:
        raise UnknownSourceError(
            f"no source connector for platform {str(platform)!r}; registered: "
            f"{', '.join(sorted(_SOURCES))}"
        ) from None


def registered() -> list[str]:
    return sorted(_SOURCES)


for _connector in (TAOBAO_SOURCE, TMALL_SOURCE, PINDUODUO_SOURCE, ALIBABA1688_SOURCE):
    register(_connector)
