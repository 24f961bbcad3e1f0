"""The Dagster platforms resource with the sandbox mounted in this process (no server, no port).

Production code never imports the emulators: the tests hand the pipeline a transport, exactly as
`make demo` hands it a URL.
"""

from __future__ import annotations

from assets.resources import PlatformsResource
from connectors.platforms import AsyncTransport
from sandbox.inprocess import in_process_transport

IN_PROCESS_URL = "https://sandbox.local"


class InProcessPlatforms(PlatformsResource):
    """`PlatformsResource` whose every client talks to the in-process sandbox."""

    sandbox_url: str = IN_PROCESS_URL

    def transport(self) -> AsyncTransport | None:
        return in_process_transport()
