"""Consumer lag as each service measures it: `motcua_consumer_lag_messages`.

Per (service, group, topic): how many messages of the topic this process's consumer has not
finished yet, summed over the partitions it holds. Summed over a group's pods, that is the
group's lag; labels never name partitions or dossiers, so cardinality stays bounded by the
topics. Computed when Prometheus scrapes (from the high-water mark the consumer last fetched
and the offset of the message it is on), so a consumer stuck on one message shows its lag
growing instead of the value it had when it last finished one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric

NAME = "motcua_consumer_lag_messages"
HELP = "Messages of the topic the consumer group has not processed yet (this process's share)"
LABELS = ("service", "group", "topic")


class LagSource(Protocol):
    def lags(self) -> Mapping[str, int]:
        """Topic -> messages behind."""
        ...


class _Collector:
    def __init__(self) -> None:
        self._sources: dict[tuple[str, str], LagSource] = {}

    def track(self, service: str, group: str, source: LagSource) -> None:
        self._sources[(service, group)] = source  # a new subscription replaces the old one

    def untrack(self, service: str, group: str, source: LagSource) -> None:
        if self._sources.get((service, group)) is source:
            del self._sources[(service, group)]

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(NAME, HELP, labels=LABELS)

    def collect(self) -> Iterator[Metric]:
        totals: dict[tuple[str, str, str], int] = defaultdict(int)
        for (service, group), source in list(self._sources.items()):
            try:
                lags = source.lags()
            except Exception:  # a consumer being torn down: no figure rather than no /metrics
                continue
            for topic, behind in lags.items():
                totals[(service, group, topic)] += behind
        family = GaugeMetricFamily(NAME, HELP, labels=LABELS)
        for labels, behind in sorted(totals.items()):
            family.add_metric(list(labels), behind)
        yield family


COLLECTOR = _Collector()
REGISTRY.register(COLLECTOR)


class KafkaLag:
    """Fed by the Kafka subscriber with each record it starts and finishes."""

    def __init__(self) -> None:
        self._consumer: Any = None  # the AIOKafkaConsumer, known from the first record
        self._next: dict[Any, int] = {}  # TopicPartition -> offset of the next unfinished

    def started(self, consumer: Any, tp: Any, offset: int) -> None:
        self._consumer = consumer
        self._next[tp] = offset

    def finished(self, tp: Any, offset: int) -> None:
        self._next[tp] = offset + 1

    def lags(self) -> Mapping[str, int]:
        """Topics of the partitions it has read from and still holds (none before the first
        record: a figure it cannot know is left out, never reported as 0)."""
        out: dict[str, int] = {}
        consumer = self._consumer
        if consumer is None:
            return out
        held = consumer.assignment()
        for tp in list(self._next):
            if tp not in held:  # revoked in a rebalance: another member reports it now
                del self._next[tp]
                continue
            high = consumer.highwater(tp)
            if high is not None:
                out[tp.topic] = out.get(tp.topic, 0) + max(0, high - self._next[tp])
        return out


class CountedLag:
    """Set by a transport that can count what is left (the standalone log)."""

    def __init__(self, topics: Sequence[str]) -> None:
        self.values: dict[str, int] = dict.fromkeys(topics, 0)

    def lags(self) -> Mapping[str, int]:
        return dict(self.values)


def track(service: str, group: str, source: LagSource) -> None:
    COLLECTOR.track(service, group, source)


def untrack(service: str, group: str, source: LagSource) -> None:
    COLLECTOR.untrack(service, group, source)
