"""Where the source emulators say their pictures and videos are: the platforms' own CDN hosts.

A catalog used to carry the sandbox's own origin (`http://127.0.0.1:<port>/taobao/img/...`), so a
listing read by one `make demo` pointed at a port the next run no longer had, and every image of an
unchanged item failed to download. Real payloads carry CDN URLs that never move; so do the
emulators' now, whatever port or process serves them:

| platform | in payloads                                     | the sandbox serves it at          |
|----------|-------------------------------------------------|-----------------------------------|
| Taobao   | `https://img.alicdn.com/taobao/img/<name>.jpg`   | `<sandbox>/taobao/img/<name>.jpg` |
|          | `https://img.alicdn.com/taobao/video/<file>`     | `<sandbox>/taobao/video/<file>`   |
| PDD      | `https://img.pddpic.com/pinduoduo/img/...`       | `<sandbox>/pinduoduo/img/...`     |
| 1688     | `https://cbu01.alicdn.com/img/ibank/...` (and    | `<sandbox>/alibaba1688/img/...`   |
|          | relative `img/ibank/...`, as in production)      |                                   |
|          | `https://cbu01.alicdn.com/video/<file>`          | `<sandbox>/alibaba1688/video/...` |

The hosts are real (Taobao and 1688 pictures live on alicdn.com, PDD's on pddpic.com); the paths
keep the emulators' own prefixes, so a URL still says which emulator drew it. In sandbox mode the
pipeline's media fetcher routes these hosts to the sandbox (`connectors.platforms.Endpoints`,
`media_routes`); in production it fetches them from the hosts themselves. The table above is the
contract between the two: `tests/sandbox/test_stable_media_urls.py` checks that every media URL of
every catalog names one of these hosts and is served through the routes.
"""

from __future__ import annotations

__all__ = ["ALIBABA1688_IMAGE_BASE", "PDD_MEDIA_ORIGIN", "TAOBAO_MEDIA_ORIGIN"]

TAOBAO_MEDIA_ORIGIN = "https://img.alicdn.com"
PDD_MEDIA_ORIGIN = "https://img.pddpic.com"
ALIBABA1688_IMAGE_BASE = "https://cbu01.alicdn.com/"  # production's image base, relative paths too
