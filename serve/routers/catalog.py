"""`POST /v1/catalog/sync` (admin): bulk upsert of catalog records in the canonical JSONL.

The whole body is validated before anything is written; a bad line answers 422 naming the
line and field, and the store is untouched. A valid body goes through the same atomic sync
path as `shopgraph ingest`: answers see the old catalog until the new one is fully published.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ingest.models import Catalog
from serve.app import ApiError, require, services_of
from serve.auth import Role
from serve.catalog_jsonl import CatalogParseError, parse_catalog_jsonl
from serve.routers import AUTH_ERRORS, BODY_ERRORS, UNAVAILABLE
from serve.routers.schemas import CatalogSyncResult

router = APIRouter(tags=["catalog"])

_EXAMPLE = (
    '{"type": "brand", "id": "b-aurora", "name": "Aurora"}\n'
    '{"type": "product", "id": "p-1", "title": "Aurora X2 Headphones", "brand": "b-aurora", '
    '"price": 99.0, "currency": "USD", "availability": "in_stock"}\n'
)


@router.post(
    "/v1/catalog/sync",
    response_model=CatalogSyncResult,
    summary="Bulk upsert products (canonical JSONL)",
    description=__doc__,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One JSON object per line with a `type` (brand, category, product, policy, faq, "
            "passage) and that record's fields.",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}, "example": _EXAMPLE},
                "application/jsonl": {"schema": {"type": "string"}},
            },
        }
    },
    responses={**AUTH_ERRORS, **BODY_ERRORS, **UNAVAILABLE},
)
async def catalog_sync(request: Request, _p=Depends(require(Role.admin))) -> CatalogSyncResult:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid_request", f"body is not UTF-8 (byte {exc.start})",
                       [{"loc": ["body"], "msg": "not UTF-8", "type": "value_error"}]) from None
    try:
        catalog: Catalog = parse_catalog_jsonl(text)
    except CatalogParseError as exc:
        raise ApiError(422, "invalid_request", str(exc), exc.details) from None
    counts = catalog.counts() if hasattr(catalog, "counts") else {}
    received = {k: int(v) for k, v in counts.items() if isinstance(v, int) and v}
    try:
        store_version, stats = await run_in_threadpool(services_of(request).catalog.upsert, catalog)
    except ApiError:
        raise
    except Exception as exc:
        raise ApiError(503, "unavailable", f"catalog sync failed, nothing was changed: {exc}") from exc
    return CatalogSyncResult(received=received, store_version=store_version, stats=stats)
