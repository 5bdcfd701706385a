"""Template rendering has hard limits and never runs on the event loop (issue 17, point 1).

Hostile templates a clerk can preview or an operator can save: huge powers, huge
repetitions, loops of 1e8 steps, recursive macros, and expressions no guard foresees (these
are stopped by the worker process's time limit, which kills and replaces the worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from motcua_testkit.notify import TENANT, Notify, make_notify
from notify.adapters.render_process import ProcessTemplates
from notify.application.templating import Template, TemplateEngine
from notify.domain.errors import Invalid
from notify.domain.kinds import Channel, Kind
from notify.domain.variables import sample

BASE = f"/api/v1/communes/{TENANT}"
KIND = Kind.RECEIPT_CONFIRMATION
PREVIEW = f"{BASE}/templates/receipt_confirmation/sms/preview"
# Within every static guard (100,000 characters, 20,000 iterations) yet a minute of work and
# 100 MB per step: only the worker's time limit stops it.
UNFORESEEN = (
    "{% for i in range(2000) %}"
    "{% if (('x' * 100000).replace('x', 'y' * 1000)) | length > 1 %}.{% endif %}"
    "{% endfor %}{{ dossier_code }}"
)

HOSTILE = {
    "{{ (9**10000000) % 7 }}": "template.too_expensive",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x": (
        "template.too_expensive"
    ),
    "{% for a in [0]*10000 %}{% for b in [0]*10000 %}{% endfor %}{% endfor %}x": (
        "template.too_expensive"
    ),
    "{{ ('x'*10**8) | length }}": "template.too_expensive",
    "{{ 'x'.ljust(10**8) }}": "template.too_expensive",
    "{{ [1, 2] * 10**8 }}": "template.too_expensive",
    "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}": "template.recursion",
}


def _sms(body: str) -> Template:
    return Template(KIND, Channel.SMS, "", None, body)


@pytest.mark.parametrize("body", sorted(HOSTILE))
def test_the_engine_refuses_what_would_freeze_or_exhaust_a_process(body: str) -> None:
    with pytest.raises(Invalid) as caught:
        TemplateEngine().render(_sms(body), sample(KIND))
    assert caught.value.code == HOSTILE[body]
    assert caught.value.status == 422 and caught.value.message_vi


def test_ordinary_arithmetic_loops_and_repetition_still_render() -> None:
    body = "{{ 2**10 }} {{ '-'*3 }} {% for i in range(3) %}{{ loop.index }}{% endfor %}"
    assert TemplateEngine().render(_sms(body), sample(KIND)).body == "1024 --- 123"


def test_the_output_has_a_size_limit() -> None:
    body = "{% for i in range(5000) %}{{ 'x' * 90 }}{% endfor %}"
    with pytest.raises(Invalid) as caught:
        TemplateEngine().render(_sms(body), sample(KIND))
    assert caught.value.code == "template.too_large"


@pytest.mark.parametrize("body", sorted(HOSTILE))
async def test_preview_and_save_answer_422_with_a_machine_code(n: Notify, body: str) -> None:
    r = await n.client.post(PREVIEW, json={"body": body}, headers=n.headers())
    assert r.status_code == 422, r.text
    assert r.json()["code"] == HOSTILE[body]
    r = await n.client.put(
        f"{BASE}/templates/receipt_confirmation/sms",
        json={"body": body},
        headers=n.headers("operator"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == HOSTILE[body]


async def test_an_unforeseen_expensive_render_is_stopped_and_the_worker_replaced() -> None:
    pool = ProcessTemplates(timeout_seconds=1.0, memory_mb=512)
    try:
        with pytest.raises(Invalid) as caught:
            await pool.render(_sms(UNFORESEEN), sample(KIND))
        assert caught.value.code == "template.too_expensive"
        assert pool.killed == 1
        # The next render gets a fresh worker and works.
        ok = await pool.render(_sms("Hồ sơ {{ dossier_code }}."), sample(KIND))
        assert ok.body.startswith("Hồ sơ ")
    finally:
        pool.close()


async def test_a_huge_allocation_fails_in_the_worker_not_in_the_service() -> None:
    # 300 MB through a str method the guards allow: over the worker's 128 MB address space cap.
    pool = ProcessTemplates(timeout_seconds=30.0, memory_mb=128)
    body = "{{ (('x' * 100000).replace('x', 'y' * 3000)) | length }}"
    try:
        with pytest.raises(Invalid) as caught:
            await pool.render(_sms(body), sample(KIND))
        assert caught.value.code == "template.too_expensive"
    finally:
        pool.close()


async def _until(predicate: Callable[[], bool]) -> None:
    while not predicate():  # noqa: ASYNC110 - the worker's state, set in another thread
        await asyncio.sleep(0.01)


async def test_while_a_hostile_preview_runs_the_same_process_still_answers(
    tmp_path: Path, keys_dir: Path
) -> None:
    async with make_notify(tmp_path, keys_dir, template_render_timeout_seconds=5.0) as n:
        pool = n.runtime.app.state.deps.engine  # type: ignore[union-attr]
        hostile = asyncio.create_task(
            n.client.post(PREVIEW, json={"body": UNFORESEEN}, headers=n.headers())
        )
        await asyncio.wait_for(_until(lambda: pool.in_flight > 0), timeout=60)
        other = await asyncio.wait_for(
            n.client.get(f"{BASE}/templates", headers=n.headers()), timeout=15
        )
        assert other.status_code == 200
        assert not hostile.done()  # the loop answered while the hostile render was pending
        r = await asyncio.wait_for(hostile, timeout=60)
        assert r.status_code == 422 and r.json()["code"] == "template.too_expensive"
