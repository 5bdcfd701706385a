"""The public look-up cannot be enumerated: the client address behind trusted proxies only,
wrong phone digits counted per dossier code (locked whatever the address), the QR link open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import uvicorn
from fastapi import FastAPI
from motcua_platform.rate_limit import TokenBucketLimiter, parse_networks
from motcua_platform.serve import server_config
from motcua_testkit.intake import Desk

from tests.support.servers import free_port

RIGHT, WRONG = "5678", [f"{n:04d}" for n in range(1, 10)]  # dossier_body's phone ends 5678
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _path(url: str) -> str:
    return url.replace("https://motcua.example.vn", "")


def _from(desk: Desk, address: str) -> httpx.AsyncClient:
    """Another client of the same app, seen at `address`."""
    assert desk.runtime.app is not None
    transport = httpx.ASGITransport(app=desk.runtime.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://intake")


async def _look_up(
    client: httpx.AsyncClient, code: str, digits: str, **kw: object
) -> httpx.Response:
    return await client.get("/tra-cuu", params={"ma": code, "sdt4": digits}, **kw)  # type: ignore[arg-type]


async def test_the_sixth_wrong_guess_on_a_code_is_locked_from_any_address(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    for i in range(5):
        async with _from(desk, f"203.0.113.{i + 1}") as client:
            miss = await _look_up(client, d["code"], WRONG[i])
        assert miss.status_code == 404, miss.text
    async with _from(desk, "198.51.100.77") as fresh:  # a new address, even the right digits
        locked = await _look_up(fresh, d["code"], RIGHT, headers={"Accept": "application/json"})
        page = await _look_up(fresh, d["code"], RIGHT, headers=BROWSER)
        # The printed receipt's QR link is another door: wrong guesses never close it.
        qr = await fresh.get(_path(d["public_url"]))
    assert locked.status_code == 429 and locked.json()["code"] == "lookup.locked"
    assert "mã QR trên giấy hẹn" in locked.json()["message"]
    wait = int(locked.headers["Retry-After"])
    assert 14 * 60 < wait <= 15 * 60
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert "Vui lòng thử lại sau <strong>15 phút</strong>" in page.text
    assert "mã QR trên giấy hẹn" in page.text and "mỗi máy" not in page.text
    assert qr.status_code == 200 and d["code"] in qr.text

    # Another dossier of the same commune is not affected.
    other = await desk.register()
    assert (await _look_up(desk.client, other["code"], RIGHT)).status_code == 200

    # After the lock the citizen gets in with the right digits, and the count starts afresh.
    assert desk.clock is not None
    desk.clock.advance(timedelta(minutes=15, seconds=1))
    assert (await _look_up(desk.client, d["code"], RIGHT)).status_code == 200


async def test_the_right_digits_clear_earlier_mistakes(desk: Desk) -> None:
    d = await desk.register()
    for digits in WRONG[:4]:
        assert (await _look_up(desk.client, d["code"], digits)).status_code == 404
    assert (await _look_up(desk.client, d["code"], RIGHT)).status_code == 200
    for digits in WRONG[:4]:  # four more mistakes: still not locked
        assert (await _look_up(desk.client, d["code"], digits)).status_code == 404
    assert (await _look_up(desk.client, d["code"], RIGHT)).status_code == 200


async def test_parallel_guesses_cannot_slip_past_the_count(desk: Desk) -> None:
    d = await desk.register()
    guesses = [f"{n:04d}" for n in range(1000, 1030)]
    answers = await asyncio.gather(*(_look_up(desk.client, d["code"], g) for g in guesses))
    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(404) <= 5 and statuses.count(429) >= 25, statuses
    assert (await _look_up(desk.client, d["code"], RIGHT)).status_code == 429


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_shares_the_peers_bucket(
    desk: Desk,
) -> None:
    assert desk.runtime.app is not None
    desk.runtime.app.state.deps.limiter = TokenBucketLimiter(rate_per_minute=1, burst=3)
    statuses = [
        (
            await desk.client.get("/tra-cuu", headers={"X-Forwarded-For": f"198.51.100.{i}"})
        ).status_code
        for i in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


async def test_a_trusted_proxys_forwarded_for_gives_each_citizen_a_bucket(desk: Desk) -> None:
    assert desk.runtime.app is not None
    deps = desk.runtime.app.state.deps
    deps.limiter = TokenBucketLimiter(rate_per_minute=1, burst=2)
    deps.trusted_proxies = parse_networks(["10.42.0.0/16"])
    async with _from(desk, "10.42.3.4") as ingress:

        async def get(citizen: str) -> int:
            r = await ingress.get("/tra-cuu", headers={"X-Forwarded-For": citizen})
            return r.status_code

        assert [await get(f"198.51.100.{i}") for i in range(6)] == [200] * 6
        assert [await get("198.51.100.9") for _ in range(3)] == [200, 200, 429]
        # What a citizen writes in the header itself is left of the ingress' entry: ignored.
        forged = await ingress.get("/tra-cuu", headers={"X-Forwarded-For": "1.1.1.1, 198.51.100.9"})
        assert forged.status_code == 429


@contextlib.asynccontextmanager
async def _served(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real uvicorn on loopback, configured as `motcua-<svc> serve` does."""
    port = free_port()
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def test_over_real_http_a_loopback_client_cannot_choose_its_address(desk: Desk) -> None:
    """uvicorn trusts X-Forwarded-For from loopback by default: 300 headers, 0 throttled."""
    assert desk.runtime.app is not None
    desk.runtime.app.state.deps.limiter = TokenBucketLimiter(rate_per_minute=1, burst=5)
    async with _served(desk.runtime.app) as url, httpx.AsyncClient(base_url=url) as client:
        statuses = [
            (
                await client.get("/tra-cuu", headers={"X-Forwarded-For": f"198.51.100.{i}"})
            ).status_code
            for i in range(20)
        ]
    assert statuses.count(200) == 5 and statuses.count(429) == 15
