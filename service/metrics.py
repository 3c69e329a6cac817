"""GET /metrics in the Prometheus text format (prometheus-client), cheap enough to scrape often.

Per request: one histogram observation, labelled by the route's template (`/api/units/{unit_id}`,
never the address as sent, so the label set stays small). Per scrape: what the service already
holds (the index version, the model queue), one `stat` of the snapshot pointer and one indexed
read of the database log's head. Each app has its own registry: with `tvaers serve --workers N`
a scrape answers for the worker that took it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.types import Scope

from indexer.snapshots import CURRENT
from service.auth.session import BAD_KEY_KEY

if TYPE_CHECKING:
    from service.api.state import ServiceState

SignInFailure = Literal[
    "api_key",
    "oidc_refused",
    "oidc_bad_token",
    "oidc_no_user",
    "oidc_unreachable",
    "local_refused",
    "throttled",
]
UNMATCHED = "(ingen rute)"

router = APIRouter(include_in_schema=False)


class Metrics:
    """The service's metrics; `app.state.metrics`."""

    def __init__(self, state: ServiceState) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "tvaers_http_request_duration_seconds",
            "Time from request to the end of the answer, by route template.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.searches = Histogram(
            "tvaers_search_duration_seconds",
            "Time the search engine took per search (page and API), model included.",
            buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.sign_in_failures = Counter(
            "tvaers_sign_in_failures",
            "Refused sign-ins: a bad or revoked API key, or an OpenID Connect sign-in that failed.",
            ["reason"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(state))

    def observe_request(self, scope: Scope, status: int, seconds: float) -> None:
        """An HTTP request's duration under its route template (service.logs.RequestId calls
        it once the app has answered; routing has set `scope["route"]` by then). Addresses no
        route matched share one label."""
        route = getattr(scope.get("route"), "path", None) or UNMATCHED
        self.requests.labels(scope["method"], route, str(status)).observe(seconds)
        if scope.get(BAD_KEY_KEY):
            self.sign_in_failures.labels("api_key").inc()

    def observe_search(self, took_ms: float) -> None:
        self.searches.observe(took_ms / 1000.0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def count_sign_in_failure(request: Request, reason: SignInFailure) -> None:
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.sign_in_failures.labels(reason).inc()


@router.get("/metrics")
def metrics_page(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


class _StateCollector(Collector):
    """Read at scrape time, never kept up to date by the request path."""

    def __init__(self, state: ServiceState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        index = self.state.index
        revision = index.revision
        yield _gauge("tvaers_index_revision", "The database revision the index shows.", revision)
        head = self.state.store.head().revision
        yield _gauge("tvaers_database_revision", "The newest revision in the database log.", head)
        yield _gauge(
            "tvaers_index_lag_revisions",
            "Revisions in the database log that this process's index does not show yet.",
            max(0, head - revision),
        )
        documents = GaugeMetricFamily(
            "tvaers_index_documents", "Documents in the index, by kind.", labels=["kind"]
        )
        for kind, count in sorted(index.counts.items()):
            documents.add_metric([kind], count)
        yield documents
        try:
            written = os.stat(self.state.home.index_dir / CURRENT).st_mtime
        except OSError:
            pass  # no snapshot yet: the metric is absent rather than a made-up age
        else:
            yield _gauge(
                "tvaers_snapshot_age_seconds",
                "Seconds since the index snapshot on disk was last replaced.",
                max(0.0, time.time() - written),
            )
        waiting = getattr(self.state.embedder, "waiting", 0)
        yield _gauge(
            "tvaers_embedding_queue",
            "Model calls waiting for their turn (queries and a write's or pairing run's texts).",
            waiting,
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
