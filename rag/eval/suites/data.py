"""Finding and reading the evaluation files, with errors that say what is missing and where.

Every suite reads the same layout as ``../shared/data`` (see /work/shared/README.md): a suite's
folder holds ``dev.csv`` and, for outside evaluators, any other split ``NAME.csv`` placed
beside it, so ``--split NAME`` runs the held-out file without code changes.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path


class EvalDataError(RuntimeError):
    """The evaluation data is absent or malformed; the message names the file and what is wrong."""


def require_data_dir(data_dir: Path) -> Path:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise EvalDataError(
            f"evaluation data folder not found: {data_dir.resolve()} "
            "(pass --data DIR or set SHOPGRAPH_SHARED_DATA; the layout is described in "
            "docs/evaluation.md)"
        )
    return data_dir


def split_file(folder: Path, split: str, suffixes: tuple[str, ...] = (".csv", ".tsv")) -> Path | None:
    """``folder/NAME.csv`` (or .tsv), None if there is none."""
    for suffix in suffixes:
        candidate = folder / f"{split}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def require_split_file(folder: Path, split: str) -> Path:
    path = split_file(folder, split)
    if path is None:
        available = sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []
        where = f"folder {folder}" + ("" if folder.is_dir() else " (which does not exist)")
        raise EvalDataError(
            f"no file for split '{split}' in {where}: expected {split}.csv"
            + (f"; available splits: {', '.join(available)}" if available else "")
        )
    return path


def _sniff_delimiter(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        header = fh.readline()
    return "\t" if header.count("\t") > header.count(",") else ","


def read_rows(path: Path, required: tuple[str, ...], delimiter: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a CSV or tab-separated file with a header.

    The delimiter is sniffed from the header (the shared hetPQA/semiPQA files are tab-separated
    under a .csv name). Missing columns or a short row raise EvalDataError naming file and line.
    """
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delimiter = delimiter or _sniff_delimiter(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        columns = reader.fieldnames or []
        missing = [c for c in required if c not in columns]
        if missing:
            raise EvalDataError(
                f"{path}: missing column(s) {', '.join(missing)}; the header has {', '.join(columns) or 'nothing'}"
            )
        for row in reader:
            line = reader.line_num
            if any(row.get(c) is None for c in required):
                raise EvalDataError(f"{path}, line {line}: the row has fewer fields than the header")
            yield line, row


def parse_int(path: Path, line: int, field: str, value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise EvalDataError(f"{path}, line {line}, field '{field}': expected an integer, got {value!r}") from None
