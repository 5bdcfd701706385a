"""A letter enters the print queue as data: the dispatcher does not render a PDF for each
one (issue 20: it rendered one and threw the bytes away); each template version is checked
once per process, and the letter is rendered when a clerk prints it."""

from __future__ import annotations

import uuid
from typing import Any

from motcua_testkit.notify import TENANT, Notify, drain, received, result_ready
from notify.domain.letters import Letter

BASE = f"/api/v1/communes/{TENANT}"


class CountingLetters:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.rendered: list[Letter] = []

    def render(self, letter: Letter) -> bytes:
        self.rendered.append(letter)
        return bytes(self.inner.render(letter))


async def _condolence(n: Notify, dossier_id: str, code: str) -> None:
    await n.deliver(received(procedure_code="1.000656", code=code), dossier_id)
    await n.deliver(result_ready(["condolence_death"], procedure_code="1.000656"), dossier_id)


async def test_the_dispatch_path_renders_one_letter_per_template_version(n: Notify) -> None:
    assert n.runtime.app is not None
    sender = n.runtime.app.state.dispatcher.sender
    counting = CountingLetters(sender.letters)
    sender.letters = counting
    for i in range(3):
        await _condolence(n, str(uuid.uuid4()), f"000.22.38.H50-251007-{i + 1:04d}")
    await drain(n.runtime)
    queue = (await n.client.get(f"{BASE}/print-queue", headers=n.headers())).json()
    letters = [j for j in queue if j["kind"] == "condolence_letter"]
    assert len(letters) == 3  # all three queued, numbered in the register
    assert sorted(j["letter_number"] for j in letters) == [
        "01/TCB-UBND",
        "02/TCB-UBND",
        "03/TCB-UBND",
    ]
    assert len(counting.rendered) == 1  # the template version checked once, not per letter

    r = await n.client.get(
        f"{BASE}/print-queue/{letters[2]['delivery_id']}/pdf", headers=n.headers()
    )
    assert r.status_code == 200 and r.content.startswith(b"%PDF")  # rendered when printed


async def test_a_template_version_that_cannot_make_a_letter_fails_at_once(n: Notify) -> None:
    assert n.runtime.app is not None
    sender = n.runtime.app.state.dispatcher.sender

    class Broken:
        def render(self, letter: Letter) -> bytes:
            raise RuntimeError("no room for a single character")

    sender.letters = Broken()
    await _condolence(n, str(uuid.uuid4()), "000.22.38.H50-251007-0009")
    await drain(n.runtime)
    queue = (await n.client.get(f"{BASE}/print-queue", headers=n.headers())).json()
    assert not [j for j in queue if j["kind"] == "condolence_letter"]
