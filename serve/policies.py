"""Policy management for merchandisers: create, replace, delete and roll back policy documents,
each change a new version, every change in an audit log, and each one made live through the
store's sync path.

Source of truth: a small SQLite database (`policies.sqlite` in the data dir) with one row per
policy version and one per audit entry. A change is published to the graph and the vector index
first (atomically, by the sync path: readers see the old version until the new one is fully in
both), then recorded; a publish that fails records nothing and the old version keeps serving.
`reconcile()` at start adopts policies that ingestion stored and re-publishes any version the
store missed (a crash between publish and record).

Documents arrive as Markdown or HTML (with optional YAML front matter for id, kind, scope,
target, title, effective_date) or PDF (text extracted with pypdf); fields given with the request
override the front matter.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Protocol

import frontmatter
import yaml
from pydantic import ValidationError

from ingest.models import Policy, PolicyKind, Scope


class PolicySink(Protocol):
    """The store side: publish policy changes atomically; list what the store serves now."""

    def publish_policies(self, upserts: list[Policy], deletes: list[str]) -> str | None:
        """Apply the changes to graph and index as one new published version; returns its name."""
        ...

    def live_policies(self) -> list[Policy]: ...


class PolicyError(Exception):
    status = 400
    code = "invalid_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class PolicyNotFound(PolicyError):
    status, code = 404, "not_found"


class PolicyConflict(PolicyError):
    status, code = 409, "conflict"


class PolicyInvalid(PolicyError):
    status, code = 422, "invalid_request"


class PolicyPublishFailed(PolicyError):
    status, code = 503, "unavailable"


@dataclass(frozen=True)
class PolicyVersion:
    policy: Policy
    source_format: str
    deleted: bool
    created_at: datetime
    actor: str

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def version(self) -> int:
        return self.policy.version


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: datetime
    actor: str
    action: str
    policy_id: str
    version: int
    comment: str | None
    store_version: str | None


@dataclass
class PolicyDraft:
    """What a request supplies: a document plus optional field overrides."""

    content: bytes | str
    format: str = "markdown"  # markdown | html | pdf
    id: str | None = None
    kind: str | None = None
    scope: str | None = None
    target: str | None = None
    title: str | None = None
    effective_date: date | None = None
    comment: str | None = None

    @staticmethod
    def decode_base64(data: str) -> bytes:
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise PolicyInvalid(
                "content_base64 is not valid base64",
                [{"loc": ["body", "content_base64"], "msg": "not valid base64", "type": "value_error"}],
            ) from None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS policy_versions (
    policy_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    target TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    effective_date TEXT,
    source_format TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (policy_id, version)
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    comment TEXT,
    store_version TEXT
);
"""

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FRONT_MATTER_KEYS = ("id", "kind", "scope", "target", "title", "effective_date")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _text_of_pdf(data: bytes) -> tuple[str, dict[str, Any]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise PolicyInvalid(
            f"PDF could not be read: {exc}",
            [{"loc": ["body", "content"], "msg": f"unreadable PDF: {exc}", "type": "value_error"}],
        ) from None
    text = "\n\n".join(p for p in pages if p)
    return text, ({"title": title} if title else {})


def parse_document(draft: PolicyDraft) -> tuple[str, dict[str, Any]]:
    """Body as Markdown plus front-matter fields, from Markdown, HTML or PDF."""
    fmt = draft.format.lower()
    if fmt == "pdf":
        data = draft.content if isinstance(draft.content, bytes) else draft.content.encode("latin-1", "replace")
        body, meta = _text_of_pdf(data)
    else:
        text = draft.content.decode("utf-8", "replace") if isinstance(draft.content, bytes) else draft.content
        try:
            post = frontmatter.loads(text)
        except (yaml.YAMLError, ValueError) as exc:
            raise PolicyInvalid(
                f"front matter is not valid YAML: {exc}",
                [{"loc": ["body", "content"], "msg": "invalid YAML front matter", "type": "value_error"}],
            ) from None
        meta = {k: post.metadata[k] for k in _FRONT_MATTER_KEYS if k in post.metadata}
        body = post.content
        if fmt == "html":
            from ingest.readers.documents import html_to_markdown

            body = html_to_markdown(body)
        elif fmt != "markdown":
            raise PolicyInvalid(f"unknown format {draft.format!r} (expected markdown, html or pdf)")
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    if not body:
        raise PolicyInvalid(
            "the document has no text",
            [{"loc": ["body", "content"], "msg": "document has no text", "type": "value_error"}],
        )
    return body, meta


class PolicyService:
    def __init__(self, db_path: str | Path, sink: PolicySink):
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.sink = sink
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(self.db_path), check_same_thread=False, isolation_level=None, timeout=60)
        self._depth = 0
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One change at a time, across threads and processes (server workers, replicas on one
        data dir): SQLite's write lock is held from reading the latest version to recording the
        new one, around the publish."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    # ------------------------------------------------------------------------------- reading
    def _row_to_version(self, row: tuple) -> PolicyVersion:
        (pid, version, kind, scope, target, title, body, eff, fmt, deleted, created, actor) = row
        policy = Policy.model_construct(
            id=pid, version=version, kind=PolicyKind(kind), scope=Scope(scope), target=target,
            title=title, body=body, effective_date=date.fromisoformat(eff) if eff else None,
        )
        return PolicyVersion(policy, fmt, bool(deleted), datetime.fromisoformat(created), actor)

    _COLUMNS = ("policy_id, version, kind, scope, target, title, body, effective_date, source_format, "
                "deleted, created_at, actor")

    def _latest(self, policy_id: str) -> PolicyVersion | None:
        row = self._conn.execute(
            f"SELECT {self._COLUMNS} FROM policy_versions WHERE policy_id = ? ORDER BY version DESC LIMIT 1",
            (policy_id,),
        ).fetchone()
        return self._row_to_version(row) if row else None

    def list(self, include_deleted: bool = False) -> list[PolicyVersion]:
        """The current version of every policy, by id."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM policy_versions v WHERE version = "
                "(SELECT MAX(version) FROM policy_versions w WHERE w.policy_id = v.policy_id) ORDER BY policy_id"
            ).fetchall()
        versions = [self._row_to_version(r) for r in rows]
        return [v for v in versions if include_deleted or not v.deleted]

    def get(self, policy_id: str, version: int | None = None) -> PolicyVersion:
        with self._lock:
            if version is None:
                found = self._latest(policy_id)
                if found is not None and found.deleted:
                    found = None
            else:
                row = self._conn.execute(
                    f"SELECT {self._COLUMNS} FROM policy_versions WHERE policy_id = ? AND version = ?",
                    (policy_id, version),
                ).fetchone()
                found = self._row_to_version(row) if row else None
        if found is None:
            what = f"policy {policy_id!r}" + (f" version {version}" if version is not None else "")
            raise PolicyNotFound(f"{what} not found")
        return found

    def history(self, policy_id: str) -> list[PolicyVersion]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM policy_versions WHERE policy_id = ? ORDER BY version", (policy_id,)
            ).fetchall()
        if not rows:
            raise PolicyNotFound(f"policy {policy_id!r} not found")
        return [self._row_to_version(r) for r in rows]

    def audit(self, policy_id: str | None = None, limit: int = 200) -> list[AuditRecord]:
        sql = "SELECT seq, at, actor, action, policy_id, version, comment, store_version FROM audit"
        params: tuple = ()
        if policy_id:
            sql += " WHERE policy_id = ?"
            params = (policy_id,)
        sql += " ORDER BY seq DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, (*params, limit)).fetchall()
        return [AuditRecord(r[0], datetime.fromisoformat(r[1]), *r[2:]) for r in rows]

    # ------------------------------------------------------------------------------- writing
    def _build(self, draft: PolicyDraft, policy_id: str, version: int, base: Policy | None) -> Policy:
        body, meta = parse_document(draft)
        if draft.id is None and meta.get("id") and str(meta["id"]) != policy_id:
            raise PolicyInvalid(
                f"front matter id {meta['id']!r} does not match the policy id {policy_id!r}",
                [{"loc": ["body", "content"], "msg": "front matter id differs from the policy id", "type": "value_error"}],
            )

        def pick(name: str) -> Any:
            value = getattr(draft, name)
            if value is None:
                value = meta.get(name)
            if value is None and base is not None:
                value = getattr(base, name)
            return value

        title = pick("title")
        if not title:
            heading = _HEADING.search(body)
            title = heading.group(1).strip() if heading else policy_id
        scope = pick("scope") or "global"
        target = draft.target if draft.target is not None else meta.get("target")
        if target is None and base is not None and draft.scope is None and "scope" not in meta:
            target = base.target
        fields = {
            "id": policy_id, "version": version, "kind": pick("kind"), "scope": scope,
            "target": target, "title": str(title)[:300], "body": body, "effective_date": pick("effective_date"),
        }
        if fields["kind"] is None:
            raise PolicyInvalid(
                "policy kind missing: give 'kind' (returns, warranty, shipping, payment, privacy, other) "
                "in the request or in the document's front matter",
                [{"loc": ["body", "kind"], "msg": "Field required", "type": "missing"}],
            )
        try:
            return Policy.model_validate(fields)
        except ValidationError as exc:
            details = [
                {"loc": ["body", *[str(p) for p in err["loc"]]], "msg": err["msg"], "type": err["type"]}
                for err in exc.errors(include_url=False)
            ]
            first = details[0]
            raise PolicyInvalid(f"invalid policy: {'.'.join(first['loc'][1:]) or 'policy'}: {first['msg']}", details) from None

    def _check_unique_scope(self, policy: Policy) -> None:
        """One live policy per (kind, scope, target), or precedence would be ambiguous; but any
        number of kind "other", each about its own topic ("Store hours", "Gift wrapping")."""
        if policy.kind.value == "other":
            return
        for other in self.list():
            p = other.policy
            if p.id != policy.id and (p.kind, p.scope, p.target) == (policy.kind, policy.scope, policy.target):
                where = policy.scope.value + (f" {policy.target}" if policy.target else "")
                raise PolicyConflict(
                    f"policy {p.id!r} already covers kind '{policy.kind.value}' for scope {where}; "
                    f"replace that policy instead of adding a second one"
                )

    def _apply(self, action: str, policy: Policy, fmt: str, actor: str, comment: str | None,
               deleted: bool = False) -> PolicyVersion:
        """Publish, then record. Called with the lock held."""
        if not deleted:
            self._check_unique_scope(policy)
        try:
            if deleted:
                store_version = self.sink.publish_policies([], [policy.id])
            else:
                store_version = self.sink.publish_policies([policy], [])
        except PolicyError:
            raise
        except Exception as exc:  # the sync path failed: nothing changed, the old version serves
            raise PolicyPublishFailed(f"could not publish the change, nothing was changed: {exc}") from exc
        now = _now()
        self._record(policy, fmt, deleted, now, actor, action, comment, store_version)
        return PolicyVersion(policy, fmt, deleted, now, actor)

    def _record(self, policy: Policy, fmt: str, deleted: bool, now: datetime, actor: str, action: str,
                comment: str | None, store_version: str | None) -> None:
        with self._writing():
            self._conn.execute(
                f"INSERT INTO policy_versions ({self._COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (policy.id, policy.version, policy.kind.value, policy.scope.value, policy.target, policy.title,
                 policy.body, policy.effective_date.isoformat() if policy.effective_date else None, fmt,
                 int(deleted), now.isoformat(), actor),
            )
            self._conn.execute(
                "INSERT INTO audit (at, actor, action, policy_id, version, comment, store_version) VALUES (?,?,?,?,?,?,?)",
                (now.isoformat(), actor, action, policy.id, policy.version, comment, store_version),
            )

    @staticmethod
    def _id_of(draft: PolicyDraft) -> str:
        policy_id = draft.id or parse_document(draft)[1].get("id")
        if not policy_id:
            raise PolicyInvalid(
                "policy id missing: give 'id' in the request or the document's front matter",
                [{"loc": ["body", "id"], "msg": "Field required", "type": "missing"}],
            )
        return str(policy_id)

    def upsert(self, draft: PolicyDraft, actor: str) -> PolicyVersion:
        """Create the policy, or replace it when it exists (file uploads)."""
        policy_id = self._id_of(draft)
        with self._writing():
            latest = self._latest(policy_id)
            if latest is None or latest.deleted:
                return self.create(draft, actor)
            return self.replace(policy_id, draft, actor)

    def create(self, draft: PolicyDraft, actor: str) -> PolicyVersion:
        policy_id = self._id_of(draft)
        with self._writing():
            latest = self._latest(policy_id)
            if latest is not None and not latest.deleted:
                raise PolicyConflict(f"policy {policy_id!r} exists (version {latest.version}); use PUT to replace it")
            version = latest.version + 1 if latest else 1
            policy = self._build(draft, policy_id, version, None)
            return self._apply("create", policy, draft.format, actor, draft.comment)

    def replace(self, policy_id: str, draft: PolicyDraft, actor: str) -> PolicyVersion:
        with self._writing():
            latest = self._latest(policy_id)
            if latest is None or latest.deleted:
                raise PolicyNotFound(f"policy {policy_id!r} not found; use POST /v1/policies to create it")
            policy = self._build(draft, policy_id, latest.version + 1, latest.policy)
            return self._apply("replace", policy, draft.format, actor, draft.comment)

    def delete(self, policy_id: str, actor: str, comment: str | None = None) -> PolicyVersion:
        with self._writing():
            latest = self._latest(policy_id)
            if latest is None or latest.deleted:
                raise PolicyNotFound(f"policy {policy_id!r} not found")
            tomb = latest.policy.model_copy(update={"version": latest.version + 1})
            return self._apply("delete", tomb, latest.source_format, actor, comment, deleted=True)

    def rollback(self, policy_id: str, to_version: int, actor: str, comment: str | None = None) -> PolicyVersion:
        """Make the content of an earlier version current again, as a new version."""
        with self._writing():
            latest = self._latest(policy_id)
            if latest is None:
                raise PolicyNotFound(f"policy {policy_id!r} not found")
            old = self.get(policy_id, to_version)
            if old.deleted:
                raise PolicyInvalid(f"version {to_version} of {policy_id!r} is a deletion; roll back to a version with content")
            policy = old.policy.model_copy(update={"version": latest.version + 1})
            note = comment or f"rollback to version {to_version}"
            return self._apply("rollback", policy, old.source_format, actor, note)

    # ------------------------------------------------------------------------- reconciliation
    def reconcile(self) -> dict[str, int]:
        """Adopt policies the store has but this log does not (from ingestion), and re-publish
        current versions the store lacks. Returns counts of each."""
        adopted = republished = 0
        with self._writing():
            live = {p.id: p for p in self.sink.live_policies()}
            known = {v.id: v for v in self.list(include_deleted=True)}
            for pid, policy in live.items():
                if pid not in known:
                    self._record(policy, "ingest", False, _now(), "ingest", "import", None, None)
                    adopted += 1
            upserts = [v.policy for pid, v in known.items()
                       if not v.deleted and (pid not in live or live[pid].version != v.version
                                             or live[pid].body != v.policy.body)]
            deletes = [pid for pid, v in known.items() if v.deleted and pid in live]
            if upserts or deletes:
                self.sink.publish_policies(upserts, deletes)
                republished = len(upserts) + len(deletes)
        return {"adopted": adopted, "republished": republished}
