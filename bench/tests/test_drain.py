"""The window logic of the honest benches (bench/drain.py), without Kafka, PostgreSQL or time:
the window must not close while any service still has work pending."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from drain import NotIdle, ProbeSet, read_all, wait_until_idle


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def scripted(name: str, values: list[int]):  # type: ignore[no-untyped-def]
    """A probe reading `values` one per round, then the last one for ever."""
    calls = {"n": 0}

    async def probe() -> Mapping[str, int]:
        i = min(calls["n"], len(values) - 1)
        calls["n"] += 1
        return {name: values[i]}

    return probe


async def test_the_window_stays_open_while_an_outbox_is_not_empty() -> None:
    clock = FakeTime()
    lag = scripted("workflow.lag", [0])
    outbox = scripted("notify.outbox", [5, 3, 1, 0])
    idle = await wait_until_idle(
        [lag, outbox], limit_seconds=60, interval=1.0, now=clock.now, sleep=clock.sleep
    )
    assert idle.at == 3.0  # the first round that found the outbox empty
    assert idle.rounds == 5  # ... confirmed by one more
    assert idle.last_pending == {"workflow.lag": 0, "notify.outbox": 1}


async def test_one_quiet_round_between_busy_ones_does_not_close_the_window() -> None:
    clock = FakeTime()
    # An effect in flight between two reads: lag 0 for one round, then a new event appears.
    lag = scripted("notify.lag", [2, 0, 4, 0, 0])
    idle = await wait_until_idle(
        [lag], limit_seconds=60, interval=1.0, now=clock.now, sleep=clock.sleep
    )
    assert idle.at == 3.0


async def test_consumer_lag_alone_keeps_it_open_and_the_limit_reports_what_was_left() -> None:
    clock = FakeTime()
    outbox = scripted("intake.outbox", [0])
    deliveries = scripted("notify.deliveries_not_final", [7])
    with pytest.raises(NotIdle) as raised:
        await wait_until_idle(
            [outbox, deliveries], limit_seconds=5, interval=1.0, now=clock.now, sleep=clock.sleep
        )
    assert raised.value.pending == {"intake.outbox": 0, "notify.deliveries_not_final": 7}
    assert "notify.deliveries_not_final=7" in str(raised.value)


async def test_probes_are_read_in_order_and_by_service() -> None:
    order: list[str] = []

    def probe(name: str):  # type: ignore[no-untyped-def]
        async def read() -> Mapping[str, int]:
            order.append(name)
            return {name: 0}

        return read

    probes = ProbeSet()
    probes.add("workflow", probe("workflow.lag"))
    probes.add("workflow", probe("workflow.outbox"))
    probes.add("notify", probe("notify.lag"))
    assert await read_all(probes.of(["workflow"])) == {"workflow.lag": 0, "workflow.outbox": 0}
    assert order == ["workflow.lag", "workflow.outbox"]
    assert [*await read_all(probes.of(["notify", "intake"]))] == ["notify.lag"]


class _TP:
    def __init__(self, topic: str, partition: int = 0) -> None:
        self.topic, self.partition = topic, partition

    def __hash__(self) -> int:
        return hash((self.topic, self.partition))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _TP) and (other.topic, other.partition) == (
            self.topic,
            self.partition,
        )


class _Meta:
    def __init__(self, offset: int) -> None:
        self.offset = offset


async def test_lag_counts_only_the_topics_a_group_reads() -> None:
    from drain import GroupLag

    dossiers, notifications = _TP("motcua.dossiers"), _TP("motcua.notifications")
    committed = {dossiers: _Meta(10), notifications: _Meta(3)}  # nobody reads notifications
    ends = {dossiers: 12, notifications: 900}

    class Admin:
        async def list_consumer_group_offsets(self, group: str) -> dict[_TP, _Meta]:
            return committed

    class Consumer:
        async def end_offsets(self, tps: list[_TP]) -> dict[_TP, int]:
            return {tp: ends[tp] for tp in tps}

    lag = GroupLag("unused:9092", {"workflow": "g"}, {"workflow": ["motcua.dossiers"]})
    lag._admin, lag._consumer = Admin(), Consumer()
    assert await lag.lags() == {"workflow.lag": 2}  # 12 - 10; the 897 on notifications: not its
    committed[dossiers] = _Meta(12)
    assert await lag.probe("workflow")() == {"workflow.lag": 0}
