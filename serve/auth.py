"""API keys and roles.

Three roles, each including the ones below it: `chat` (ask questions, read and delete
sessions), `merchandiser` (plus policies), `admin` (plus catalog sync). Keys come from the
`SHOPGRAPH_SERVER__API_KEYS` setting (`key:role[:name]`, comma separated) and/or a keys file
(YAML or JSON list of `{key, role, name?, rate_limit_per_minute?}`, or lines `key:role[:name]`).

Keys are held only as SHA-256 digests; logs and metrics see a key's name, never the key.
A request sends its key as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable

import yaml


class Role(str, Enum):
    chat = "chat"
    merchandiser = "merchandiser"
    admin = "admin"


ROLE_RANK: dict[Role, int] = {Role.chat: 0, Role.merchandiser: 1, Role.admin: 2}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name (safe to log) and role."""

    name: str
    role: Role
    rate_limit_per_minute: int | None = None

    def allows(self, needed: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[needed]


class KeyConfigError(ValueError):
    """A key entry that cannot be used; the message names the source and entry."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _parse_role(value: str, where: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise KeyConfigError(
            f"{where}: unknown role {value!r} (expected one of: chat, merchandiser, admin)"
        ) from None


def _entry(key: str, role: str, name: str | None, limit: int | None, where: str) -> tuple[str, Principal]:
    key = key.strip()
    if len(key) < 8:
        raise KeyConfigError(f"{where}: API key too short (at least 8 characters)")
    principal = Principal(
        name=(name or "").strip() or f"key-{_digest(key)[:8]}",
        role=_parse_role(role, where),
        rate_limit_per_minute=limit,
    )
    return _digest(key), principal


def _parse_pairs(text: str, where: str) -> Iterable[tuple[str, Principal]]:
    """`key:role[:name]` entries separated by commas or newlines; '#' starts a comment line."""
    for n, raw in enumerate(text.replace(",", "\n").splitlines(), start=1):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        parts = item.split(":")
        if len(parts) not in (2, 3):
            raise KeyConfigError(f"{where}, entry {n}: expected 'key:role' or 'key:role:name'")
        yield _entry(parts[0], parts[1], parts[2] if len(parts) == 3 else None, None, f"{where}, entry {n}")


def _parse_file(path: Path) -> Iterable[tuple[str, Principal]]:
    if not path.is_file():
        raise KeyConfigError(f"keys file not found: {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
        if isinstance(data, dict) and "keys" in data:
            data = data["keys"]
        if not isinstance(data, list):
            raise KeyConfigError(f"{path}: expected a list of {{key, role, name}} entries")
        for i, item in enumerate(data):
            where = f"{path}, entry {i}"
            if not isinstance(item, dict) or "key" not in item or "role" not in item:
                raise KeyConfigError(f"{where}: needs 'key' and 'role'")
            limit = item.get("rate_limit_per_minute")
            if limit is not None and (not isinstance(limit, int) or limit < 1):
                raise KeyConfigError(f"{where}: rate_limit_per_minute must be a positive integer")
            yield _entry(str(item["key"]), str(item["role"]), item.get("name"), limit, where)
    else:
        yield from _parse_pairs(text, str(path))


class KeyRing:
    """Looks up the principal for a presented key."""

    def __init__(self, entries: dict[str, Principal]):
        self._by_digest = dict(entries)

    @classmethod
    def from_config(cls, api_keys: str = "", keys_file: str | Path = "") -> "KeyRing":
        entries: dict[str, Principal] = {}
        if api_keys:
            entries.update(_parse_pairs(api_keys, "SHOPGRAPH_SERVER__API_KEYS"))
        if keys_file:
            entries.update(_parse_file(Path(keys_file)))
        return cls(entries)

    def __len__(self) -> int:
        return len(self._by_digest)

    def lookup(self, key: str) -> Principal | None:
        return self._by_digest.get(_digest(key))


def extract_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key a request presents, from `Authorization: Bearer` or `X-API-Key`."""
    if x_api_key:
        return x_api_key.strip() or None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None
