"""Prometheus metrics for the service, in one registry per app (so tests can run several apps
in one process). Routes are labelled by their template (`/v1/sessions/{session_id}`), never by
the raw path, to keep label cardinality bounded."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "shopgraph_http_requests", "HTTP requests by route, method and status",
            ["route", "method", "status"], registry=r,
        )
        self.latency = Histogram(
            "shopgraph_http_request_duration_seconds", "HTTP request latency by route",
            ["route", "method"], buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.stage_latency = Histogram(
            "shopgraph_stage_duration_seconds", "Answer pipeline latency by stage",
            ["stage"], buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.answers = Counter(
            "shopgraph_answers", "Answers given, by generator that wrote them", ["generator"], registry=r,
        )
        self.generator_fallbacks = Counter(
            "shopgraph_generator_fallbacks", "Answers where the generator failed and the extractive fallback answered",
            registry=r,
        )
        self.abstentions = Counter("shopgraph_abstentions", "Answers that abstained", registry=r)
        self.escalations = Counter("shopgraph_escalations", "Answers that escalated to a person", registry=r)
        self.rate_limited = Counter("shopgraph_rate_limited", "Requests refused by the rate limiter", registry=r)
        self.auth_failures = Counter(
            "shopgraph_auth_failures", "Requests refused by authentication or authorization", ["status"], registry=r,
        )
        self.policy_changes = Counter(
            "shopgraph_policy_changes", "Policy changes applied", ["action"], registry=r,
        )

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def observe_answer(
        self, *, stages_ms: dict[str, float], generator: str, fallback: bool, abstained: bool, escalate: bool
    ) -> None:
        for stage, ms in stages_ms.items():
            self.stage_latency.labels(stage).observe(ms / 1000.0)
        self.answers.labels(generator or "unknown").inc()
        if fallback:
            self.generator_fallbacks.inc()
        if abstained:
            self.abstentions.inc()
        if escalate:
            self.escalations.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
