"""What of each emulator's state is kept across restarts, entity by entity (persistence.py).

A `Section` lists its entities as (key, fingerprint, entity), dumps one to JSON and restores them.
Fingerprints are cheap on purpose: values and object identities that change when the entity does.
The emulators replace a changed item param or a report with a new object rather than editing it
in place (`open.item.edit` and autopass build a merged copy; a report upsert stores a new record),
so identity is enough for the large parts. A map the emulator only appends to (uploads, materials)
also has an O(1) `version`, and a flush skips it while that is unchanged: over a demo's ~6,000
entities a flush that finds nothing to write takes about a millisecond.

Counters that follow from the entities are rebuilt, not stored: the relItemId index, the items
created per merchant per day (the daily quota), the next item, SKU and material ids. Then they can
never disagree with the entities they count.

Kept: Kuaishou items (with review state), supply reports, uploaded-image records, item-video upload
tokens (with their bytes, a few KB each) and materials, the suggested.get daily calls, static and
OAuth tokens (codes, rotations, revocations, counters); vv-tool items, tokens and account; Taobao's
seller edits and delistings (the only source state that changes: catalogs are generated from
their seed).
"""

from __future__ import annotations

import base64
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from listings.china_time import CHINA_TZ
from sandbox import kuaishou_material as material
from sandbox.kuaishou_oauth import IssuedAccessToken, IssuedCode, IssuedRefreshToken
from sandbox.kuaishou_open import (
    KuaishouSandbox,
    StoredItem,
    SupplyReportRecord,
    UploadedImage,
)
from sandbox.taobao_top import TaobaoSandbox, _ShopChange
from sandbox.vvtool import VvtoolSandbox, VvtoolStoredItem

if TYPE_CHECKING:
    from sandbox.app import Sandbox

__all__ = ["Section", "sections_of"]

Row = tuple[str, tuple[Any, ...], Any]

_FIRST_ITEM_ID = 2_004_000_000_001
_FIRST_SKU_ID = 5_004_000_000_001
_FIRST_EDIT_SKU_ID = 6_004_000_000_001  # kuaishou_material._new_sku_id's range
_FIRST_MATERIAL_ID = 7_004_000_000_001
_FIRST_VV_ITEM_ID = 3_004_000_000_001
_FIRST_VV_SKU_ID = 6_004_000_000_001


class Section(Protocol):
    name: str

    def version(self) -> object | None:
        """A cheap token that changes whenever the section does, or None: scan it every time."""
        ...

    def entries(self) -> Iterable[Row]: ...

    def dump(self, entity: Any) -> Any: ...

    def restore(self, rows: dict[str, Any]) -> None: ...

    def after_restore(self) -> None: ...


class _Section:
    """A section from its functions; `after_restore` rebuilds derived counters; `version` may
    spare a scan (`appended_only`)."""

    def __init__(
        self,
        name: str,
        entries: Callable[[], Iterable[Row]],
        dump: Callable[[Any], Any],
        restore: Callable[[dict[str, Any]], None],
        after_restore: Callable[[], None] = lambda: None,
        version: Callable[[], object | None] = lambda: None,
    ) -> None:
        self.name = name
        self.entries = entries
        self.dump = dump
        self.restore = restore
        self.after_restore = after_restore
        self.version = version


def appended_only(entities: dict[Any, Any]) -> Callable[[], object]:
    """The version of a map the emulator only ever adds to (never replaces or removes a value):
    its size and last key, both O(1)."""
    return lambda: (len(entities), next(reversed(entities), None))


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _skus(rows: list[list[Any]]) -> list[tuple[int, int, str | None]]:
    return [(int(k), int(r), n) for k, r, n in rows]


# --- Kuaishou ------------------------------------------------------------------------------------


def _kuaishou_items(ks: KuaishouSandbox) -> _Section:
    def entries() -> Iterable[Row]:
        for kwai_item_id, item in ks.items.items():
            yield (
                str(kwai_item_id),
                (
                    item.audit_status,
                    item.audit_reason,
                    item.gets,
                    item.param,
                    item.sku_ids,
                    item.taken_down,
                    item.submitted_at,
                ),
                item,
            )

    def dump(item: StoredItem) -> Any:
        return {
            "kwai_item_id": item.kwai_item_id,
            "rel_item_id": item.rel_item_id,
            "seller": item.seller,
            "param": item.param,
            "sku_ids": [list(sku) for sku in item.sku_ids],
            "created_at": _time(item.created_at),
            "audit_status": item.audit_status,
            "audit_reason": item.audit_reason,
            "gets": item.gets,
            "taken_down": item.taken_down,
            "submitted_at": _time(item.submitted_at),
        }

    def restore(rows: dict[str, Any]) -> None:
        ks.items.clear()
        for row in sorted(rows.values(), key=lambda r: r["kwai_item_id"]):
            ks.items[row["kwai_item_id"]] = StoredItem(
                kwai_item_id=row["kwai_item_id"],
                rel_item_id=row["rel_item_id"],
                seller=row["seller"],
                param=row["param"],
                sku_ids=_skus(row["sku_ids"]),
                created_at=datetime.fromisoformat(row["created_at"]),
                audit_status=row["audit_status"],
                audit_reason=row["audit_reason"],
                gets=row["gets"],
                taken_down=row.get("taken_down", False),  # absent in files made before issue 18
                submitted_at=_parse_time(row.get("submitted_at")),
            )

    def after_restore() -> None:
        """The relItemId index, the per-day creation counts and the next ids, from the items."""
        ks._by_rel = {item.rel_item_id: item.kwai_item_id for item in ks.items.values()}
        ks._created_per_day.clear()
        for item in ks.items.values():
            ks._created_per_day[(item.seller, item.created_at.astimezone(CHINA_TZ).date())] += 1
        ks._next_item_id = max([_FIRST_ITEM_ID - 1, *ks.items]) + 1
        sku_ids = [k for item in ks.items.values() for k, _, _ in item.sku_ids]
        ks._next_sku_id = (
            max([_FIRST_SKU_ID - 1, *(k for k in sku_ids if k < _FIRST_EDIT_SKU_ID)]) + 1
        )
        edited = [k for k in sku_ids if k >= _FIRST_EDIT_SKU_ID]
        if edited:
            material._SKU_COUNTERS[ks] = itertools.count(max(edited) + 1)

    return _Section("kuaishou.items", entries, dump, restore, after_restore)


def report_key(record: SupplyReportRecord) -> str:
    """A report's identity on the platform: the merchant and the Kuaishou item (an upsert key)."""
    return f"{record.seller}:{record.item.get('kwaiItemId')}"


def _kuaishou_reports(ks: KuaishouSandbox) -> _Section:
    def entries() -> Iterable[Row]:
        for record in ks.reports:
            yield report_key(record), (record,), record

    def dump(record: SupplyReportRecord) -> Any:
        return {
            "seller": record.seller,
            "item": record.item,
            "received_at": _time(record.received_at),
            "first_received_at": _time(record.first_received_at),
            "versions": record.versions,
        }

    def restore(rows: dict[str, Any]) -> None:
        records = [
            SupplyReportRecord(
                seller=row["seller"],
                item=row["item"],
                received_at=datetime.fromisoformat(row["received_at"]),
                first_received_at=_parse_time(row["first_received_at"]),
                versions=row["versions"],
            )
            for row in rows.values()
        ]
        ks.reports[:] = sorted(records, key=lambda r: r.received_at)

    return _Section("kuaishou.reports", entries, dump, restore)


def _kuaishou_uploads(ks: KuaishouSandbox) -> _Section:
    def entries() -> Iterable[Row]:
        for url, image in ks.uploads.items():
            yield url, (image,), image

    def restore(rows: dict[str, Any]) -> None:
        ks.uploads.clear()
        ks.uploads.update({url: UploadedImage(**row) for url, row in rows.items()})

    return _Section("kuaishou.uploads", entries, asdict, restore, version=appended_only(ks.uploads))


def _kuaishou_materials(ks: KuaishouSandbox) -> list[_Section]:
    store = ks.materials

    def material_entries() -> Iterable[Row]:
        for material_id, item in store.materials.items():
            yield str(material_id), (item,), item

    def dump_material(item: material.Material) -> Any:
        return {**asdict(item), "created_at": _time(item.created_at)}

    def restore_materials(rows: dict[str, Any]) -> None:
        store.materials.clear()
        for row in rows.values():
            row = {**row, "created_at": datetime.fromisoformat(row["created_at"])}
            store.materials[row["material_id"]] = material.Material(**row)
        store._next_id = max([_FIRST_MATERIAL_ID - 1, *store.materials]) + 1

    def ticket_entries() -> Iterable[Row]:
        for token, ticket in store.tickets.items():
            yield token, (ticket.data, ticket.material_id), ticket

    def dump_ticket(ticket: material.UploadTicket) -> Any:
        data = None if ticket.data is None else base64.b64encode(ticket.data).decode("ascii")
        return {
            "token": ticket.token,
            "seller": ticket.seller,
            "file_name": ticket.file_name,
            "file_length": ticket.file_length,
            "expires_at": _time(ticket.expires_at),
            "data": data,
            "material_id": ticket.material_id,
        }

    def restore_tickets(rows: dict[str, Any]) -> None:
        store.tickets.clear()
        for token, row in rows.items():
            store.tickets[token] = material.UploadTicket(
                token=row["token"],
                seller=row["seller"],
                file_name=row["file_name"],
                file_length=row["file_length"],
                expires_at=datetime.fromisoformat(row["expires_at"]),
                data=None if row["data"] is None else base64.b64decode(row["data"]),
                material_id=row["material_id"],
            )

    def suggestion_entries() -> Iterable[Row]:
        for (seller, day), count in ks.suggestions.calls.items():
            yield f"{seller}:{day.isoformat()}", (count,), count

    def restore_suggestions(rows: dict[str, Any]) -> None:
        ks.suggestions.calls.clear()
        for key, count in rows.items():
            seller, day = key.split(":", 1)
            ks.suggestions.calls[(int(seller), date.fromisoformat(day))] = count

    return [
        _Section(
            "kuaishou.materials",
            material_entries,
            dump_material,
            restore_materials,
            version=appended_only(store.materials),
        ),
        _Section("kuaishou.material_tickets", ticket_entries, dump_ticket, restore_tickets),
        _Section("kuaishou.suggestion_calls", suggestion_entries, lambda c: c, restore_suggestions),
    ]


def _kuaishou_tokens(ks: KuaishouSandbox) -> list[_Section]:
    oauth = ks.oauth

    def static_entries() -> Iterable[Row]:
        for token, seller in ks.tokens.items():
            yield token, (seller,), seller

    def restore_static(rows: dict[str, Any]) -> None:
        ks.tokens.update(rows)

    def code_entries() -> Iterable[Row]:
        for code, issued in oauth.codes.items():
            yield code, (issued.used,), issued

    def dump_code(issued: IssuedCode) -> Any:
        return {**asdict(issued), "issued_at": _time(issued.issued_at)}

    def restore_codes(rows: dict[str, Any]) -> None:
        for code, row in rows.items():
            oauth.codes[code] = IssuedCode(
                seller=row["seller"],
                issued_at=datetime.fromisoformat(row["issued_at"]),
                scopes=tuple(row["scopes"]),
                used=row["used"],
            )

    def access_entries() -> Iterable[Row]:
        for token, issued in oauth.access_tokens.items():
            yield token, (issued.expires_at,), issued

    def dump_access(issued: IssuedAccessToken) -> Any:
        return {**asdict(issued), "expires_at": _time(issued.expires_at)}

    def restore_access(rows: dict[str, Any]) -> None:
        for token, row in rows.items():
            oauth.access_tokens[token] = IssuedAccessToken(
                seller=row["seller"],
                expires_at=datetime.fromisoformat(row["expires_at"]),
                scopes=tuple(row["scopes"]),
            )

    def refresh_entries() -> Iterable[Row]:
        for token, issued in oauth.refresh_tokens.items():
            yield token, (issued.expires_at, issued.rotated_at), issued

    def dump_refresh(issued: IssuedRefreshToken) -> Any:
        return {
            **asdict(issued),
            "expires_at": _time(issued.expires_at),
            "rotated_at": _time(issued.rotated_at),
        }

    def restore_refresh(rows: dict[str, Any]) -> None:
        for token, row in rows.items():
            oauth.refresh_tokens[token] = IssuedRefreshToken(
                seller=row["seller"],
                expires_at=datetime.fromisoformat(row["expires_at"]),
                scopes=tuple(row["scopes"]),
                rotated_at=_parse_time(row["rotated_at"]),
            )

    def revoked_entries() -> Iterable[Row]:
        for token in oauth.revoked:
            yield token, (), True

    def restore_revoked(rows: dict[str, Any]) -> None:
        oauth.revoked.update(rows)

    def counter_entries() -> Iterable[Row]:
        counts = {"refreshes": oauth.refreshes, "exchanges": oauth.exchanges}
        yield "oauth", (oauth.refreshes, oauth.exchanges), counts

    def restore_counters(rows: dict[str, Any]) -> None:
        counts = rows.get("oauth", {})
        oauth.refreshes = counts.get("refreshes", 0)
        oauth.exchanges = counts.get("exchanges", 0)

    def same(value: Any) -> Any:
        return value

    return [
        _Section("kuaishou.static_tokens", static_entries, same, restore_static),
        _Section("kuaishou.oauth_codes", code_entries, dump_code, restore_codes),
        _Section("kuaishou.oauth_access_tokens", access_entries, dump_access, restore_access),
        _Section("kuaishou.oauth_refresh_tokens", refresh_entries, dump_refresh, restore_refresh),
        _Section("kuaishou.oauth_revoked", revoked_entries, same, restore_revoked),
        _Section("kuaishou.oauth_counters", counter_entries, same, restore_counters),
    ]


# --- vv-tool -------------------------------------------------------------------------------------


def _vvtool(vv: VvtoolSandbox) -> list[_Section]:
    def item_entries() -> Iterable[Row]:
        for kwai_item_id, item in vv.items.items():
            yield str(kwai_item_id), (item.request, item.sku_ids), item

    def dump_item(item: VvtoolStoredItem) -> Any:
        return {
            "kwai_item_id": item.kwai_item_id,
            "rel_item_id": item.rel_item_id,
            "shop_id": item.shop_id,
            "request": item.request,
            "sku_ids": [list(sku) for sku in item.sku_ids],
            "created_at": _time(item.created_at),
        }

    def restore_items(rows: dict[str, Any]) -> None:
        vv.items.clear()
        for row in sorted(rows.values(), key=lambda r: r["kwai_item_id"]):
            vv.items[row["kwai_item_id"]] = VvtoolStoredItem(
                kwai_item_id=row["kwai_item_id"],
                rel_item_id=row["rel_item_id"],
                shop_id=row["shop_id"],
                request=row["request"],
                sku_ids=_skus(row["sku_ids"]),
                created_at=datetime.fromisoformat(row["created_at"]),
            )

    def after_restore() -> None:
        vv._by_rel = {item.rel_item_id: item.kwai_item_id for item in vv.items.values()}
        vv._created_per_day.clear()
        for item in vv.items.values():
            vv._created_per_day[(item.shop_id, item.created_at.astimezone(CHINA_TZ).date())] += 1
        vv._next_item_id = max([_FIRST_VV_ITEM_ID - 1, *vv.items]) + 1
        skus = [k for item in vv.items.values() for k, _, _ in item.sku_ids]
        vv._next_sku_id = max([_FIRST_VV_SKU_ID - 1, *skus]) + 1

    def token_entries() -> Iterable[Row]:
        for token, (client_id, expires) in vv._tokens.items():
            yield token, (client_id, expires), (client_id, expires)

    def dump_token(entry: tuple[str, float]) -> Any:
        """Expiry on the wall clock: the monotonic clock starts over in a new process."""
        client_id, expires = entry
        return {"client_id": client_id, "expires_unix": time.time() + expires - vv.monotonic()}

    def restore_tokens(rows: dict[str, Any]) -> None:
        for token, row in rows.items():
            expires = vv.monotonic() + row["expires_unix"] - time.time()
            vv._tokens[token] = (row["client_id"], expires)

    def account_entries() -> Iterable[Row]:
        values = (vv.charged, vv.balance, vv.tokens_issued)
        yield "account", values, values

    def dump_account(values: tuple[Decimal, Decimal | None, int]) -> Any:
        charged, balance, issued = values
        return {
            "charged": str(charged),
            "balance": None if balance is None else str(balance),
            "tokens_issued": issued,
        }

    def restore_account(rows: dict[str, Any]) -> None:
        row = rows.get("account")
        if row is None:
            return
        vv.charged = Decimal(row["charged"])
        vv.balance = None if row["balance"] is None else Decimal(row["balance"])
        vv.tokens_issued = row["tokens_issued"]

    return [
        _Section("vvtool.items", item_entries, dump_item, restore_items, after_restore),
        _Section("vvtool.tokens", token_entries, dump_token, restore_tokens),
        _Section("vvtool.account", account_entries, dump_account, restore_account),
    ]


# --- Taobao --------------------------------------------------------------------------------------


def _taobao(tb: TaobaoSandbox) -> _Section:
    def entries() -> Iterable[Row]:
        for shop_id, changes in tb._changes.items():
            if changes:
                yield shop_id, (len(changes),), changes

    def dump(changes: list[_ShopChange]) -> Any:
        return [{"kind": c.kind, "num_iids": list(c.num_iids), "stamp": c.stamp} for c in changes]

    def restore(rows: dict[str, Any]) -> None:
        for shop_id, changes in rows.items():
            tb._changes[shop_id] = [
                _ShopChange(c["kind"], tuple(c["num_iids"]), c["stamp"]) for c in changes
            ]

    return _Section("taobao.shop_changes", entries, dump, restore)


def sections_of(sandbox: Sandbox) -> list[Section]:
    """Every kept section of a sandbox, in restore order."""
    ks = sandbox.kuaishou
    return [
        _kuaishou_items(ks),
        _kuaishou_reports(ks),
        _kuaishou_uploads(ks),
        *_kuaishou_materials(ks),
        *_kuaishou_tokens(ks),
        *_vvtool(sandbox.vvtool),
        _taobao(sandbox.taobao),
    ]
