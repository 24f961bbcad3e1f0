"""What a user configures: migrations (one source shop → one Kuaishou shop), validated with clear errors.

The file holds no secret values, only the *names* of the env vars that carry them. A migration whose source
and mode cannot be reported truthfully to Kuaishou is refused here, before anything is published.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from listings.model import SourcePlatform
from listings.priority import PublishPriority
from listings.supply import (
    MigrationMode,
    SupplyOrigin,
    SupplySeller,
    UntruthfulReportError,
    decide_seller,
)

__all__ = [
    "CategoryRules",
    "Migration",
    "MigrationsConfigError",
    "MigrationsFile",
    "PriceRule",
    "PublishApproval",
    "PublishBackend",
    "ServiceRules",
    "SourceConfig",
    "SupplyConfig",
    "TargetConfig",
    "TitleRules",
    "env_vars",
    "looks_like_secret",
    "missing_env_vars",
    "parse_migrations",
]

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class MigrationsConfigError(ValueError):
    """The migrations file is invalid; the message names the migration, the field and the fix."""


class PublishBackend(StrEnum):
    KUAISHOU = "kuaishou"  # the Kuaishou open platform, with our own app
    VVTOOL = "vvtool"  # the vv-tool ks-item-new proxy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def looks_like_secret(value: str) -> bool:
    """Whether a value given as an env var *name* looks like a pasted secret instead.

    Env var names are words joined by `_` (BANJIA_TAOBAO_SESSION). Secrets are long runs of
    letters and digits (hex digests, base64, tokens), also when pasted in upper case, which the
    name pattern alone would accept. A word of 16+ characters mixing letters and digits, or of
    24+ characters at all, is taken for a secret.
    """
    words = re.split(r"[_\s]+", value)
    return any(
        (len(word) >= 16 and any(c.isdigit() for c in word) and any(c.isalpha() for c in word))
        or len(word) >= 24
        for word in words
    )


def _env_name(value: str) -> str:
    """An env var name, checked; the value itself is never repeated in a message (it may be a
    secret pasted into the wrong place)."""
    if looks_like_secret(value):
        raise ValueError(
            "looks like a secret, not the name of an env var (the value is not shown): export the "
            "secret as an env var, e.g. BANJIA_TAOBAO_SESSION, and write that NAME here; if this "
            "file was shared, rotate the secret"
        )
    if not _ENV_NAME.match(value):
        raise ValueError(
            f"is not an env var name ({len(value)} characters, not shown): use upper-case "
            "letters, digits and _ (e.g. BANJIA_TAOBAO_SESSION), the NAME of the variable that "
            "holds the secret, never the secret itself"
        )
    return value


def _optional_env_name(value: str | None) -> str | None:
    return None if value is None else _env_name(value)


class SourceConfig(_Strict):
    platform: SourcePlatform
    shop_id: str = Field(min_length=1, description="The source shop (seller) id or nick.")
    shop_name: str | None = Field(default=None, description="Seller name shown in scene 1 reports.")
    app_key: str = Field(min_length=1)
    app_secret_env: str
    session_env: str
    rate_per_second: float = Field(default=10.0, gt=0)
    include_inventory: bool = Field(
        default=False,
        description="Taobao/Tmall: also move 仓库中 (instock) items, read via items.inventory.get.",
    )
    history_days: int = Field(
        default=730,
        ge=1,
        le=3650,
        description="Pinduoduo lists goods by creation time only: how far back to list.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="The source connector's own settings, checked by its options model when the "
        "migrations file is loaded.",
    )

    _check_env = field_validator("app_secret_env", "session_env")(_env_name)


class TargetConfig(_Strict):
    """The Kuaishou shop and the route to it.

    backend `kuaishou` (our own open-platform app) needs app_key and sign_secret_env, and the merchant's
    authorization: `auth: static` reads a fixed access token from access_token_env (a console token, or
    one kept fresh elsewhere); `auth: oauth` keeps the merchant's tokens in the warehouse and rotates
    them (`banjia kuaishou authorize` stores the first pair), which needs app_secret_env (the OAuth
    appSecret, not the signSecret) and oauth_redirect_uri (the callback registered with the app).
    backend `vvtool` (the vv-tool proxy, items published under vv-tool's app) needs vvtool_client_id,
    vvtool_client_secret_env, vvtool_shop_id, and the Kuaishou category tree as a CSV export
    (`category_tree_file`), because without our own app there is no `open.item.category` to call.
    """

    backend: PublishBackend = PublishBackend.KUAISHOU
    app_key: str | None = Field(default=None, min_length=1)
    sign_secret_env: str | None = None
    access_token_env: str | None = None
    auth: Literal["static", "oauth"] = "static"
    app_secret_env: str | None = None
    oauth_redirect_uri: str | None = Field(default=None, pattern=r"^https?://\S+$")
    shop_key: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$",
        description="The Kuaishou shop's key in `oauth_tokens`; migrations into one shop share "
        "it. Empty: the migration key.",
    )
    sign_method: Literal["MD5", "HMAC_SHA256"] = "HMAC_SHA256"
    vvtool_client_id: str | None = Field(default=None, min_length=1)
    vvtool_client_secret_env: str | None = None
    vvtool_shop_id: str | None = Field(default=None, min_length=1)
    vvtype: Literal[1, 2] = 1
    category_tree_file: str | None = Field(
        default=None, description="CSV of the Kuaishou tree (category_id,name,parent_id,...)."
    )
    express_template_id: int = Field(default=0, ge=0)
    rate_per_second: float = Field(default=10.0, gt=0, le=50)
    publish_concurrency: int = Field(
        default=4,
        ge=1,
        le=16,
        description="Creates in flight at once; the rate limit still spaces every request.",
    )

    _check_env = field_validator(
        "sign_secret_env", "access_token_env", "app_secret_env", "vvtool_client_secret_env"
    )(_optional_env_name)

    @model_validator(mode="after")
    def _backend_needs(self) -> TargetConfig:
        required = {
            PublishBackend.KUAISHOU: ("app_key", "sign_secret_env")
            + (
                ("access_token_env",)
                if self.auth == "static"
                else ("app_secret_env", "oauth_redirect_uri")
            ),
            PublishBackend.VVTOOL: (
                "vvtool_client_id",
                "vvtool_client_secret_env",
                "vvtool_shop_id",
                "category_tree_file",
            ),
        }[self.backend]
        missing = [name for name in required if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"backend {self.backend.value!r} needs target.{', target.'.join(missing)}"
            )
        if self.auth == "oauth" and self.backend is not PublishBackend.KUAISHOU:
            raise ValueError(
                "target.auth 'oauth' is for backend 'kuaishou'; vv-tool authorizes with "
                "vvtool_client_secret_env"
            )
        if self.auth == "oauth" and self.access_token_env is not None:
            raise ValueError(
                "target.auth 'oauth' keeps the tokens in the warehouse: remove "
                "target.access_token_env (or use auth 'static')"
            )
        if self.backend is PublishBackend.VVTOOL and self.rate_per_second > 10:
            raise ValueError("backend 'vvtool' allows 10 requests/s: set rate_per_second ≤ 10")
        return self


class PriceRule(_Strict):
    """How a source price becomes a Kuaishou price: markup, then a fixed add, all in integer fen."""

    markup_percent: float = Field(default=0.0, ge=-90, le=1000)
    add_fen: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    pdd_price: Literal["single", "group"] = "single"
    rounding: Literal["fen", "jiao9", "fen99", "yuan"] = Field(
        default="fen",
        description="Round up to: fen (none), x.9 yuan (jiao9), x.99 yuan (fen99), whole yuan.",
    )
    min_margin_fen: int = Field(
        default=0, ge=0, description="The Kuaishou price is at least the source price plus this."
    )
    market_price_percent: float | None = Field(
        default=None,
        gt=100,
        le=1000,
        description="划线价 as % of the highest SKU price; sent only where Kuaishou allows it.",
    )


class TitleRules(_Strict):
    """Advertising-law terms in titles (data/forbidden_words.txt plus `extra_forbidden_words`)."""

    forbidden_words: Literal["remove", "flag"] = Field(
        default="remove", description="remove: cut them out; flag: quarantine the item."
    )
    extra_forbidden_words: tuple[str, ...] = ()


class ServiceRules(_Strict):
    refund_rule: str = Field(default="1", pattern=r"^\d+$")
    promise_delivery_time_s: int = Field(default=172_800)

    @field_validator("promise_delivery_time_s")
    @classmethod
    def _known_delivery_time(cls, value: int) -> int:
        if value not in (86_400, 172_800, 259_200):
            raise ValueError("promise_delivery_time_s must be 86400, 172800 or 259200 (seconds)")
        return value


class CategoryRules(_Strict):
    """How listings get their Kuaishou leaf (listings/categories.py, docs/decisions.md §38).

    Relative file paths are read from the project root, as `target.category_tree_file` is.
    """

    min_confidence: float = Field(
        default=0.985,
        ge=0,
        le=1,
        description="Auto-publish at or above this confidence: for the text layer, the publish "
        "gate's probability that the leaf is right (data/categories/publish_gate.json, "
        "docs/decisions.md §88, §107, §193); 0.985 published 0.99+ right on sources the gate "
        "never saw.",
    )
    overrides: dict[str, int] = Field(
        default_factory=dict,
        description="Source category id or path → Kuaishou leaf category id.",
    )
    overrides_file: str | None = Field(
        default=None,
        description="The merchant's overrides CSV (source_category,kuaishou_category_id); "
        "`banjia categories review import` appends to it. A missing file is no overrides.",
    )
    mapping_file: str | None = Field(
        default="data/categories/source_to_kuaishou.csv",
        description="Source category path → Kuaishou path table; null turns the layer off.",
    )
    open_categories: tuple[int, ...] = Field(
        default=(),
        description="Kuaishou categories the shop has opened (leaves or whole branches); "
        "empty: every leaf of the tree the platform returns.",
    )
    suggestions_per_run: int = Field(
        default=200,
        ge=0,
        le=2000,
        description="open.item.category.suggested.get calls a run may spend on uncertain source "
        "categories (2,000 per merchant per day; answers are cached). 0 turns the layer off.",
    )


class PublishApproval(StrEnum):
    """`auto`: every ready item is published; `required`: only items approved in the plan."""

    AUTO = "auto"
    REQUIRED = "required"


class PublishRules(_Strict):
    """What goes first when the daily quota stops a run (listings/priority.py), and whether the
    operator approves the publish plan item by item first (`banjia plan export/import`)."""

    priority: PublishPriority = PublishPriority.SOURCE_ORDER
    approval: PublishApproval = PublishApproval.AUTO


class SupplyConfig(_Strict):
    """Where distributed goods come from, when not from the source platform itself (DESIGN.md table).

    origin `source` (default): the source platform (move: the merchant's shop; distribute: 1688).
    origin `own`: the operator's own supply platform; `name` is the operator's name (platform 2).
    origin `other`: another channel; `name` is that channel's concrete name (platform 3).
    """

    origin: SupplyOrigin = SupplyOrigin.SOURCE
    name: str | None = Field(default=None, min_length=1)


class Migration(_Strict):
    key: str
    source: SourceConfig
    mode: MigrationMode
    target: TargetConfig
    pricing: PriceRule = PriceRule()
    service: ServiceRules = ServiceRules()
    titles: TitleRules = TitleRules()
    category: CategoryRules = CategoryRules()
    supply: SupplyConfig = SupplyConfig()
    publish: PublishRules = PublishRules()
    daily_quota: int = Field(default=500, ge=1, le=500)
    max_items: int | None = Field(default=None, ge=1, description="Read at most this many items.")

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str) -> str:
        if not _KEY.match(value):
            raise ValueError(
                f"{value!r}: a migration key is lower-case letters, digits and '-', "
                "at most 63 characters (it names a Dagster partition)"
            )
        return value

    @model_validator(mode="after")
    def _truthful(self) -> Migration:
        try:
            _ = self.seller  # decides, or raises UntruthfulReportError
        except UntruthfulReportError as exc:
            raise ValueError(str(exc)) from None
        if self.mode is MigrationMode.DISTRIBUTE and not self.source.shop_name:
            raise ValueError(
                "source.shop_name is required for mode 'distribute': scene 1 reports name the supplier"
            )
        return self

    @property
    def kuaishou_shop_key(self) -> str:
        """The key of the target shop's OAuth tokens (`target.shop_key`, else the migration key)."""
        return self.target.shop_key or self.key

    @property
    def seller(self) -> SupplySeller:
        return decide_seller(
            source=self.source.platform,
            mode=self.mode,
            origin=self.supply.origin,
            origin_name=self.supply.name,
        )


ENV_FIELDS: tuple[tuple[str, str], ...] = (
    ("source", "app_secret_env"),
    ("source", "session_env"),
    ("target", "sign_secret_env"),
    ("target", "access_token_env"),
    ("target", "app_secret_env"),
    ("target", "vvtool_client_secret_env"),
)
"""Every field of a migration that names an env var holding a secret."""


def env_vars(migration: Migration) -> list[tuple[str, str]]:
    """(field path, env var name) of every secret the migration names, in file order."""
    found = []
    for section, name in ENV_FIELDS:
        value = getattr(getattr(migration, section), name)
        if value is not None:
            found.append((f"{section}.{name}", value))
    return found


def missing_env_vars(migration: Migration, env: Mapping[str, str]) -> list[str]:
    """One sentence per secret env var the migration names that `env` lacks or has empty."""
    return [
        f"migration {migration.key!r}: {field} names {name}, which is not set: export {name} "
        "(for the sandbox: `set -a; . data/sandbox.env`)"
        for field, name in env_vars(migration)
        if not env.get(name, "").strip()
    ]


class MigrationsFile(_Strict):
    migrations: list[Migration] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> MigrationsFile:
        keys = [m.key for m in self.migrations]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"migration keys repeat: {', '.join(dupes)}; each key must be unique")
        return self

    def get(self, key: str) -> Migration:
        for migration in self.migrations:
            if migration.key == key:
                return migration
        known = ", ".join(m.key for m in self.migrations)
        close = difflib.get_close_matches(key, self.keys, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise MigrationsConfigError(
            f"no migration {key!r} in the migrations file: {hint}known keys: {known}"
        )

    @property
    def keys(self) -> list[str]:
        return [m.key for m in self.migrations]


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model whose field `loc[-1]` would be, following `loc` from `MigrationsFile`."""
    model: Any = MigrationsFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue  # a list index: the item type was taken with the list field
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _model_of(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _model_of(annotation: Any) -> Any:
    """The BaseModel inside `annotation` (`X`, `list[X]`, `X | None`), else the annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if isinstance(found, type) and issubclass(found, BaseModel):
            return found
    return annotation


def _unknown_field_hint(loc: Sequence[int | str]) -> str:
    """ "unknown field: did you mean 'markup_percent'? (known: ...)" for an extra_forbidden error."""
    model = _model_at(loc)
    if model is None:
        return "unknown field: remove it"
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else "remove it; "
    return f"unknown field: {hint}the known fields here are {', '.join(known)}"


def _describe(error: dict[str, Any], data: Any) -> str:
    loc = list(error.get("loc", ()))
    where = ".".join(str(part) for part in loc) or "(top level)"
    if len(loc) >= 2 and loc[0] == "migrations" and isinstance(loc[1], int):
        try:
            key = data["migrations"][loc[1]].get("key", f"#{loc[1] + 1}")
        except (KeyError, IndexError, TypeError, AttributeError):
            key = f"#{loc[1] + 1}"
        where = f"migration {key!r}: " + (".".join(str(p) for p in loc[2:]) or "(itself)")
    if error.get("type") == "extra_forbidden" and loc:
        message = _unknown_field_hint(loc)
    elif error.get("type") == "missing":
        message = "required: add this field"
    else:
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}"


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key repeated in one mapping.

    YAML says keys are unique, but PyYAML keeps the last silently: a second `pricing:` under a
    migration would override the first without a word.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool | None):
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "a key must be a plain name, not a list or a mapping",
                    key_node.start_mark,
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in one mapping (lines {seen[key]} and {line}); "
                    "YAML would keep only the last: keep one",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def parse_migrations(text: str, *, source: str = "migrations.yaml") -> MigrationsFile:
    """Parse and validate a migrations file.

    Raises:
        MigrationsConfigError: one line per problem, each naming the migration and the field.
    """
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        # Only the position and the problem: PyYAML's own text quotes the offending line, which
        # may hold a secret pasted in the wrong place.
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "unreadable"
        raise MigrationsConfigError(f"{source}: not valid YAML{where}: {what}") from None
    except yaml.YAMLError as exc:
        raise MigrationsConfigError(f"{source}: not valid YAML: {type(exc).__name__}") from None
    except RecursionError:
        raise MigrationsConfigError(f"{source}: not valid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise MigrationsConfigError(f"{source}: expected a mapping with a 'migrations:' list")
    try:
        return MigrationsFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"  - {_describe(dict(err), data)}" for err in exc.errors()]
        raise MigrationsConfigError(f"{source} is invalid:\n" + "\n".join(lines)) from None
