"""What every suite hands back (`EvalResult`) and how it is written to `--out`:

- ``results.json``: the metrics in one shape (``retrieval``, ``answers``, ``baselines.<name>``
  with the same keys; classifier suites put ``accuracy`` etc. at the top), plus what is needed
  to reproduce the run: config, dataset file hashes, model/artifact versions, git commit, seed,
  per-stage latency p50/p95.
- ``report.md``: ours vs each baseline with deltas, per-group tables, timings, plots.
- ``*.png``: metric bars vs baselines, latency per stage, confusion matrix for classifiers.
- ``failures.jsonl``: each wrong, unsupported or mis-classified item with its evidence.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from rag.eval.metrics import percentile

PACKAGES = (
    "shopgraph", "torch", "sentence-transformers", "faiss-cpu", "bm25s", "llama_cpp_python",
    "scikit-learn", "falkordb", "numpy",
)


#: Counts, not scores: kept in results.json, left out of the comparison tables and bars.
COUNT_KEYS = frozenset({"n", "questions_without_relevant", "questions"})


class StageTimer:
    """Collects wall-clock milliseconds per named stage; summarized as p50/p95."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.samples[name].append((time.perf_counter() - start) * 1000.0)

    def add(self, name: str, ms: float) -> None:
        self.samples[name].append(float(ms))

    def summary(self) -> dict[str, dict[str, float | int | None]]:
        return {
            name: {
                "n": len(values),
                "p50_ms": _round(percentile(values, 50)),
                "p95_ms": _round(percentile(values, 95)),
                "total_s": round(sum(values) / 1000.0, 3),
            }
            for name, values in self.samples.items()
        }


@dataclass
class EvalResult:
    """One suite run. `metrics` holds the suite's keys (``retrieval``/``answers``/``baselines``
    or, for classifiers, flat names); the rest is provenance."""

    suite: str
    metrics: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)
    data_files: list[Path] = field(default_factory=list)
    models: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    timer: StageTimer = field(default_factory=StageTimer)
    failures: list[dict[str, Any]] = field(default_factory=list)
    # Extra tables for the report: title -> {row name -> {column -> value}}.
    tables: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # For classifier suites: labels and matrix for the confusion plot.
    confusion: tuple[list[str], list[list[int]]] | None = None
    notes: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            **self.metrics,
            "config": self.config,
            "data_files": {str(p): file_sha256(p) for p in self.data_files},
            "models": self.models,
            "versions": package_versions(),
            "git_commit": git_commit(),
            "seed": self.seed,
            "timings": self.timer.summary(),
            "elapsed_s": round(time.time() - self.started_at, 1),
            "failures": len(self.failures),
            "notes": self.notes,
        }


# ---------------------------------------------------------------- provenance


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def git_commit() -> str | None:
    """HEAD of the checkout this code runs from, with "-dirty" when files differ from it."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        if not head:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


# ---------------------------------------------------------------- writing


def write_report(result: EvalResult, out_dir: Path) -> dict[str, Any]:
    """Write results.json, report.md, plots and failures.jsonl into `out_dir`; return the JSON."""
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = result.to_json()
    plots = write_plots(result, out_dir)
    payload["plots"] = [p.name for p in plots]
    _atomic_write(out_dir / "results.json", json.dumps(payload, indent=2, default=str) + "\n")
    _atomic_write(
        out_dir / "failures.jsonl",
        "".join(json.dumps(f, default=str, ensure_ascii=False) + "\n" for f in result.failures),
    )
    _atomic_write(out_dir / "report.md", render_markdown(result, payload, plots))
    return payload


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}; lists and non-dict leaves are kept as they are."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def comparison_rows(metrics: dict[str, Any]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Systems (ours first, then each baseline) and, per metric name, each system's value."""
    ours = flatten({k: metrics[k] for k in ("retrieval", "answers") if isinstance(metrics.get(k), dict)})
    systems = ["ours"]
    rows: dict[str, dict[str, Any]] = {name: {"ours": value} for name, value in ours.items()}
    for base, tree in (metrics.get("baselines") or {}).items():
        systems.append(base)
        for name, value in flatten(tree).items():
            rows.setdefault(name, {})[base] = value
    numeric = {
        name: row for name, row in rows.items()
        if name.rsplit(".", 1)[-1] not in COUNT_KEYS
        and ".by_intent." not in name and ".by_type." not in name  # own tables
        and any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in row.values())
    }
    return systems, numeric


def render_markdown(result: EvalResult, payload: dict[str, Any], plots: list[Path]) -> str:
    lines = [f"# Evaluation: {result.suite}", ""]
    cfg = ", ".join(f"{k}={v}" for k, v in result.config.items() if v not in (None, "", []))
    lines += [f"- config: {cfg}", f"- git commit: {payload['git_commit']}",
              f"- seed: {result.seed}", f"- elapsed: {payload['elapsed_s']} s", ""]
    systems, rows = comparison_rows(result.metrics)
    if rows:
        lines += ["## Ours vs baselines", ""]
        header = ["metric", "ours"] + [f"{s} (delta ours-{s})" for s in systems[1:]]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for name, row in rows.items():
            cells = [name, _fmt(row.get("ours"))]
            for s in systems[1:]:
                value, ours = row.get(s), row.get("ours")
                delta = (
                    f" ({ours - value:+.4f})"
                    if isinstance(value, (int, float)) and isinstance(ours, (int, float)) else ""
                )
                cells.append(_fmt(value) + delta)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    flat_other = {
        k: v for k, v in flatten({k: v for k, v in result.metrics.items()
                                  if k not in ("retrieval", "answers", "baselines")}).items()
    }
    if flat_other:
        lines += ["## Metrics", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in flat_other.items()]
        lines.append("")
    for title, table in result.tables.items():
        columns: list[str] = []
        for row in table.values():
            columns += [c for c in row if c not in columns]
        lines += [f"## {title}", "", "| | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
        for name, row in table.items():
            lines.append(f"| {name} | " + " | ".join(_fmt(row.get(c)) for c in columns) + " |")
        lines.append("")
    timings = payload["timings"]
    if timings:
        lines += ["## Latency per stage", "", "| stage | n | p50 ms | p95 ms | total s |", "|---|---|---|---|---|"]
        for stage, t in timings.items():
            lines.append(f"| {stage} | {t['n']} | {_fmt(t['p50_ms'])} | {_fmt(t['p95_ms'])} | {t['total_s']} |")
        lines.append("")
    if result.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in result.notes] + [""]
    lines += ["## Files", ""] + [f"- `{p}`: `{h[:16]}`" for p, h in payload["data_files"].items()]
    lines += [f"- failures: {len(result.failures)} (failures.jsonl)", ""]
    for plot in plots:
        lines += [f"![{plot.stem}]({plot.name})", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- plots


def write_plots(result: EvalResult, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    systems, rows = comparison_rows(result.metrics)
    bounded = {n: r for n, r in rows.items() if all(
        v is None or (isinstance(v, (int, float)) and -1.0 <= v <= 1.0) for v in r.values())}
    if bounded:
        names = list(bounded)
        width = 0.8 / len(systems)
        fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(names) + 2), 4.5))
        for i, system in enumerate(systems):
            values = [float("nan") if bounded[n].get(system) is None else bounded[n][system] for n in names]
            xs = [j + (i - (len(systems) - 1) / 2) * width for j in range(len(names))]
            ax.bar(xs, values, width, label=system)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_ylabel("score")
        ax.set_title(f"{result.suite}: ours vs baselines")
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out_dir / "metrics.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    timings = result.timer.summary()
    if timings:
        stages = list(timings)
        fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(stages) + 2), 4.0))
        xs = range(len(stages))
        ax.bar([x - 0.2 for x in xs], [timings[s]["p50_ms"] or 0 for s in stages], 0.4, label="p50")
        ax.bar([x + 0.2 for x in xs], [timings[s]["p95_ms"] or 0 for s in stages], 0.4, label="p95")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(stages, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("ms")
        ax.set_yscale("symlog")
        ax.set_title(f"{result.suite}: latency per stage")
        ax.legend()
        fig.tight_layout()
        path = out_dir / "latency.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    if result.confusion is not None:
        labels, matrix = result.confusion
        n = len(labels)
        size = min(16.0, max(4.5, 0.12 * n + 3))
        fig, ax = plt.subplots(figsize=(size, size))
        ax.imshow(matrix, cmap="Blues")
        if n <= 30:
            ax.set_xticks(range(n))
            ax.set_yticks(range(n))
            ax.set_xticklabels(labels, rotation=90, fontsize=7)
            ax.set_yticklabels(labels, fontsize=7)
            if n <= 12:
                for i in range(n):
                    for j in range(n):
                        dark = matrix[i][j] > 0.5 * max(max(row) for row in matrix)
                        ax.text(j, i, str(matrix[i][j]), ha="center", va="center", fontsize=8,
                                color="white" if dark else "black")
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(f"{result.suite}: confusion matrix")
        fig.tight_layout()
        path = out_dir / "confusion.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
