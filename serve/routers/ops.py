"""`/healthz` (the process answers), `/readyz` (graph, index and generator each usable),
`/metrics` (Prometheus text format). No key needed: they are for load balancers and scrapers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from serve.app import services_of
from serve.routers.schemas import CheckOut, Health, Readiness

router = APIRouter(tags=["ops"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    return Health()


def _run_checks(checks: dict, advisory: frozenset[str]) -> Readiness:
    results: dict[str, CheckOut] = {}
    for name, check in checks.items():
        try:
            ok, detail = check()
        except Exception as exc:  # a check must never take the endpoint down
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results[name] = CheckOut(ok=bool(ok), detail=str(detail)[:500], required=name not in advisory)
    return Readiness(ready=all(c.ok for c in results.values() if c.required), checks=results)


@router.get("/readyz", response_model=Readiness, summary="Readiness of graph, index and generator",
            responses={503: {"model": Readiness, "description": "Some component is not ready"}})
async def readyz(request: Request):
    services = services_of(request)
    readiness = await run_in_threadpool(_run_checks, services.checks, services.advisory_checks)
    if not readiness.ready:
        return JSONResponse(readiness.model_dump(mode="json"), status_code=503)
    return readiness


@router.get("/metrics", summary="Prometheus metrics",
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text"}})
async def metrics(request: Request) -> Response:
    m = request.app.state.metrics
    return Response(m.render(), media_type=m.content_type)
