"""Policy documents for merchandisers: list, read, create, replace, delete, history, rollback,
upload (Markdown, HTML or PDF), and the audit log. Every change is a new version, live for new
questions as soon as the call returns."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from ingest.models import ID_PATTERN, PolicyKind, Scope
from serve.app import ApiError, require, services_of
from serve.auth import Principal, Role
from serve.policies import PolicyDraft, PolicyError, PolicyService, PolicyVersion
from serve.routers import AUTH_ERRORS, BODY_ERRORS, NOT_FOUND, UNAVAILABLE
from serve.routers.schemas import (
    AuditEntry,
    AuditLog,
    PolicyCreate,
    PolicyHistory,
    PolicyInput,
    PolicyList,
    PolicyOut,
    RollbackRequest,
)

router = APIRouter(tags=["policies"])
merch = require(Role.merchandiser)
PolicyId = Path(pattern=ID_PATTERN, description="Policy id", examples=["returns-global"])
_CONFLICT = {409: {**BODY_ERRORS[422], "description": "The policy exists already"}}
WRITE_ERRORS = {**AUTH_ERRORS, **BODY_ERRORS, **NOT_FOUND, **UNAVAILABLE}


def _service(request: Request) -> PolicyService:
    return services_of(request).policies


def _out(v: PolicyVersion) -> PolicyOut:
    p = v.policy
    return PolicyOut(
        id=p.id, version=p.version, kind=p.kind, scope=p.scope, target=p.target, title=p.title, body=p.body,
        source_format=v.source_format, effective_date=p.effective_date, deleted=v.deleted,
        updated_at=v.created_at, updated_by=v.actor, live=not v.deleted,
    )


async def _call(fn, *args):
    """Run a service call off the event loop, turning its errors into JSON error responses."""
    try:
        return await run_in_threadpool(fn, *args)
    except PolicyError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.details) from None


def _count(request: Request, action: str) -> None:
    request.app.state.metrics.policy_changes.labels(action).inc()


def _draft(body: PolicyInput, policy_id: str | None) -> PolicyDraft:
    if (body.content is None) == (body.content_base64 is None):
        raise ApiError(422, "invalid_request", "give exactly one of 'content' (text) or 'content_base64' (bytes)",
                       [{"loc": ["body", "content"], "msg": "exactly one of content/content_base64", "type": "value_error"}])
    if body.format == "pdf" and body.content_base64 is None:
        raise ApiError(422, "invalid_request", "a PDF must be sent as content_base64",
                       [{"loc": ["body", "content_base64"], "msg": "required for format pdf", "type": "missing"}])
    content: bytes | str = body.content if body.content is not None else _decode(body.content_base64 or "")
    return PolicyDraft(
        content=content, format=body.format, id=policy_id, kind=body.kind.value if body.kind else None,
        scope=body.scope.value if body.scope else None, target=body.target, title=body.title,
        effective_date=body.effective_date, comment=body.comment,
    )


def _decode(data: str) -> bytes:
    try:
        return PolicyDraft.decode_base64(data)
    except PolicyError as exc:
        raise ApiError(exc.status, exc.code, exc.message, exc.details) from None


def _format_of(upload: UploadFile, given: str | None) -> str:
    if given:
        if given not in ("markdown", "html", "pdf"):
            raise ApiError(422, "invalid_request", f"format {given!r} unknown (markdown, html or pdf)",
                           [{"loc": ["body", "format"], "msg": "expected markdown, html or pdf", "type": "enum"}])
        return given
    name = (upload.filename or "").lower()
    ctype = (upload.content_type or "").lower()
    if name.endswith(".pdf") or ctype == "application/pdf":
        return "pdf"
    if name.endswith((".html", ".htm")) or ctype == "text/html":
        return "html"
    return "markdown"


@router.get("/v1/policies", response_model=PolicyList, summary="List current policies",
            responses={**AUTH_ERRORS})
async def list_policies(request: Request, _p=Depends(merch)) -> PolicyList:
    versions = await _call(_service(request).list)
    return PolicyList(policies=[_out(v) for v in versions])


@router.post("/v1/policies", response_model=PolicyOut, status_code=201, summary="Create a policy",
             responses={**WRITE_ERRORS, **_CONFLICT})
async def create_policy(body: PolicyCreate, request: Request, principal: Principal = Depends(merch)) -> PolicyOut:
    draft = _draft(body, body.id)
    out = _out(await _call(_service(request).create, draft, principal.name))
    _count(request, "create")
    return out


@router.post(
    "/v1/policies/upload", response_model=PolicyOut, status_code=201,
    summary="Create or replace a policy from an uploaded file (Markdown, HTML or PDF)",
    description="Creates the policy, or replaces it with a new version when the id exists. "
    "Form fields override the document's YAML front matter.",
    responses={**WRITE_ERRORS},
)
async def upload_policy(
    request: Request,
    file: UploadFile = File(description="The document"),
    id: str | None = Form(None, pattern=ID_PATTERN, description="Policy id (or front matter 'id')"),
    kind: PolicyKind | None = Form(None, description="Policy kind (or front matter)"),
    scope: Scope | None = Form(None, description="Scope (or front matter)"),
    target: str | None = Form(None, pattern=ID_PATTERN, description="Scope target id"),
    title: str | None = Form(None, max_length=300, description="Title"),
    format: str | None = Form(None, description="markdown | html | pdf (default: from file name)"),
    comment: str | None = Form(None, max_length=500, description="Why (audit log)"),
    principal: Principal = Depends(merch),
) -> PolicyOut:
    data = await file.read()
    if not data:
        raise ApiError(422, "invalid_request", "the uploaded file is empty",
                       [{"loc": ["body", "file"], "msg": "empty file", "type": "value_error"}])
    draft = PolicyDraft(content=data, format=_format_of(file, format), id=id or None,
                        kind=kind.value if kind else None, scope=scope.value if scope else None,
                        target=target or None, title=title or None, comment=comment)
    out = _out(await _call(_service(request).upsert, draft, principal.name))
    _count(request, "create" if out.version == 1 else "replace")
    return out


@router.get("/v1/policies/{policy_id}", response_model=PolicyOut, summary="Current version of a policy",
            responses={**AUTH_ERRORS, **NOT_FOUND, 422: BODY_ERRORS[422]})
async def get_policy(request: Request, policy_id: str = PolicyId,
                     version: int | None = Query(None, ge=1, le=2_147_483_647, description="A specific version instead of the current one"),
                     _p=Depends(merch)) -> PolicyOut:
    return _out(await _call(_service(request).get, policy_id, version))


@router.put("/v1/policies/{policy_id}", response_model=PolicyOut, summary="Replace a policy (new version)",
            responses={**WRITE_ERRORS})
async def replace_policy(body: PolicyInput, request: Request, policy_id: str = PolicyId,
                         principal: Principal = Depends(merch)) -> PolicyOut:
    draft = _draft(body, policy_id)
    out = _out(await _call(_service(request).replace, policy_id, draft, principal.name))
    _count(request, "replace")
    return out


@router.delete("/v1/policies/{policy_id}", status_code=204, summary="Delete a policy (a new, deleted version)",
               responses={**WRITE_ERRORS})
async def delete_policy(request: Request, policy_id: str = PolicyId,
                        comment: str | None = Query(None, max_length=500, description="Why (audit log)"),
                        principal: Principal = Depends(merch)) -> Response:
    await _call(_service(request).delete, policy_id, principal.name, comment)
    _count(request, "delete")
    return Response(status_code=204)


@router.get("/v1/policies/{policy_id}/history", response_model=PolicyHistory, summary="Every version of a policy",
            responses={**AUTH_ERRORS, **NOT_FOUND, 422: BODY_ERRORS[422]})
async def policy_history(request: Request, policy_id: str = PolicyId, _p=Depends(merch)) -> PolicyHistory:
    versions = await _call(_service(request).history, policy_id)
    latest = versions[-1].version
    outs = [_out(v).model_copy(update={"live": v.version == latest and not v.deleted}) for v in versions]
    return PolicyHistory(id=policy_id, versions=outs)


@router.post("/v1/policies/{policy_id}/rollback", response_model=PolicyOut,
             summary="Make an earlier version current again (as a new version)", responses={**WRITE_ERRORS})
async def rollback_policy(body: RollbackRequest, request: Request, policy_id: str = PolicyId,
                          principal: Principal = Depends(merch)) -> PolicyOut:
    out = _out(await _call(_service(request).rollback, policy_id, body.version, principal.name, body.comment))
    _count(request, "rollback")
    return out


@router.get("/v1/audit/policies", response_model=AuditLog, summary="Audit log of policy changes, newest first",
            responses={**AUTH_ERRORS, 422: BODY_ERRORS[422]})
async def policy_audit(request: Request,
                       policy_id: str | None = Query(None, pattern=ID_PATTERN, description="Only this policy"),
                       limit: int = Query(200, ge=1, le=5000, description="At most this many entries"),
                       _p=Depends(merch)) -> AuditLog:
    records = await _call(_service(request).audit, policy_id, limit)
    return AuditLog(entries=[AuditEntry(**r.__dict__) for r in records])

