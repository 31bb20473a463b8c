"""Structured logs for the service: JSON lines from structlog, a request id on every line, and
personal data masked before anything is written.

Masking runs as the last processor before rendering, over every string in the event (nested
dicts and lists included), so a careless `log.info("x", message=user_text)` still cannot leak an
email address, a phone number or a card number. Secrets never reach the logger: API keys are
logged by their name only (see `serve/auth.py`).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

# Emails: local@domain.tld
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Card-like: 13-19 digits, optionally grouped by spaces or dashes.
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
# Phone numbers: optional +country, 7+ digits with common separators; checked after cards.
_PHONE = re.compile(r"(?<![\w])(?:\+?\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,3}(?![\w])")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A plain decimal ("retrying in 0.438291 seconds", "took 12.5048 ms") is a measurement, not a phone.
_DECIMAL = re.compile(r"\d+\.\d+")


def _phone_or_keep(match: re.Match[str]) -> str:
    text = match.group(0)
    if _ISO_DATE.fullmatch(text) or _DECIMAL.fullmatch(text) or sum(ch.isdigit() for ch in text) < 7:
        return text
    return "[phone]"


def mask_pii(text: str) -> str:
    """Replace emails, card-like numbers and phone numbers with placeholders."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[card]", text)
    return _PHONE.sub(_phone_or_keep, text)


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask(v) for v in value]
    return value


def _mask_processor(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {k: _mask(v) for k, v in event_dict.items()}


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the time of writing, not at configuration: test
    runners and embedding applications swap (and close) stderr streams."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", json_logs: bool = True) -> None:
    """Set up structlog (and route stdlib logging, e.g. uvicorn's, through the same masking)."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.format_exc_info,
        _mask_processor,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),
        cache_logger_on_first_use=True,
    )
    # stdlib loggers (uvicorn errors, libraries) go through the same processors and renderer.
    handler = logging.StreamHandler(_CurrentStderr())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own middleware writes one line per request; uvicorn's access log would duplicate it
    # (and print raw query strings).
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str = "shopgraph") -> Any:
    return structlog.get_logger(name)
