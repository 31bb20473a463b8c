"""The data dir's published state: which graph and which index version readers use.

Layout of `<data_dir>`::

    current.json        the published version (replaced atomically with os.replace)
    index/v000007/      immutable index version dirs (see rag/vector_index.py)
    index/.staging-*    a version being built (never read; removed on failure or next ingest)
    graph/              the embedded FalkorDB server's files (kg/)
    ingest.lock         inter-process writer lock: one ingest at a time per data dir

`current.json` holds the version number, the graph_ref to query, the index dir, counts and
timestamps, plus the previous version (kept for rollback; older ones are garbage-collected).
A reader detects a new version cheaply with `CurrentWatcher.changed()` (one stat call).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag.vector_index import fsync_dir

CURRENT = "current.json"
INDEX_DIR = "index"
LOCK_FILE = "ingest.lock"


class IngestLocked(RuntimeError):
    """Another ingest holds this data dir's writer lock."""


@dataclass
class Published:
    version: int
    graph_ref: str
    index_dir: str  # relative to data_dir
    counts: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    published_at: str = ""
    previous: dict[str, Any] | None = None  # {version, graph_ref, index_dir} of the one before

    def index_path(self, data_dir: Path) -> Path:
        return Path(data_dir) / self.index_dir


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def read_current(data_dir: str | Path) -> Published | None:
    """The published state, or None for a data dir nothing was ever published to."""
    path = Path(data_dir) / CURRENT
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    return Published(**data)


def version_dir_name(version: int) -> str:
    return f"{INDEX_DIR}/v{version:06d}"


def write_current(data_dir: str | Path, state: Published) -> None:
    """Atomically replace current.json (write temp, fsync, rename, fsync dir)."""
    data_dir = Path(data_dir)
    tmp = data_dir / f".{CURRENT}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(asdict(state), f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, data_dir / CURRENT)
    fsync_dir(data_dir)


def publish(data_dir: str | Path, state: Published, previous: Published | None) -> Published:
    """Make `state` the served version; remember `previous` for rollback."""
    state.published_at = now_iso()
    if previous is not None:
        state.previous = {
            "version": previous.version,
            "graph_ref": previous.graph_ref,
            "index_dir": previous.index_dir,
        }
    write_current(data_dir, state)
    return state


def collect_garbage(data_dir: str | Path, state: Published) -> list[str]:
    """Remove index version dirs and staging leftovers other than current and previous.
    Returns what was removed (graph versions are dropped by the caller, who holds the store)."""
    data_dir = Path(data_dir)
    keep = {state.index_dir}
    if state.previous:
        keep.add(state.previous["index_dir"])
    removed = []
    root = data_dir / INDEX_DIR
    if root.exists():
        for child in sorted(root.iterdir()):
            rel = f"{INDEX_DIR}/{child.name}"
            if rel not in keep:
                shutil.rmtree(child, ignore_errors=True)
                removed.append(rel)
    return removed


class WriterLock:
    """Exclusive, inter-process lock on a data dir (flock; released by the OS if we crash)."""

    def __init__(self, data_dir: str | Path, timeout_s: float = 0.0):
        self.path = Path(data_dir) / LOCK_FILE
        self.timeout_s = timeout_s
        self._fd: int | None = None

    def __enter__(self) -> "WriterLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
                    os.close(fd)
                    raise IngestLocked(
                        f"another ingest is running on {self.path.parent} (pid {holder or '?'}); "
                        "wait for it to finish"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class CurrentWatcher:
    """Lets a long-running reader notice a newly published version with one stat() call."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / CURRENT
        self._seen: tuple[int, int] | None = None

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def changed(self) -> bool:
        """True once after each publish (and on the first call when something is published)."""
        stamp = self._stamp()
        if stamp != self._seen:
            self._seen = stamp
            return stamp is not None
        return False
