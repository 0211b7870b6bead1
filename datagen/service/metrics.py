"""Prometheus metrics at /metrics: events per generator and outcome, read
from the generators' own counts when scraped (no cost per event), and the
HTTP requests the service answered."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from datagen.service.manager import Generators


class GeneratorCollector(Collector):
    """datagen_events_total{generator, destination, outcome} and friends."""

    def __init__(self, generators: Generators) -> None:
        self.generators = generators

    def collect(self) -> Iterator[Metric]:
        events = CounterMetricFamily(
            "datagen_events",
            "Events of each generator by outcome: sent to its sink, acknowledged "
            "by the sink's server, failed.",
            labels=["generator", "destination", "outcome"],
        )
        active = GaugeMetricFamily(
            "datagen_generator_active",
            "1 while the generator runs.",
            labels=["generator", "destination"],
        )
        for generator in self.generators.all():
            delivery = generator.counts()
            labels = [generator.id, generator.schedule.destination.describe()]
            for outcome, value in (
                ("sent", delivery.sent),
                ("acknowledged", delivery.acknowledged),
                ("failed", delivery.failed),
            ):
                events.add_metric([*labels, outcome], value)
            active.add_metric(labels, 1.0 if generator.active else 0.0)
        yield events
        yield active


class Metrics:
    """The service's own registry (one per app, so tests can run several)."""

    def __init__(self, generators: Generators) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(GeneratorCollector(generators))
        self.requests = Counter(
            "datagen_http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.rate = Gauge(
            "datagen_configured_rate",
            "Events a second the running generators are set to send.",
            registry=self.registry,
        )
        self.rate.set_function(generators.rate)
