"""The authorisation matrix: every operation × every principal × own/other commune × bad tokens.

The expected answer comes from `policy.POLICY`; the test fails on any leak (a 2xx where a
refusal is due: bad token, role without the right, another commune) and on any answer that
disagrees with the table (an allowed principal refused, a 403 where 401 is due, ...).
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from tests.abuse import policy
from tests.abuse.cases import first_case, operations
from tests.abuse.tokens import OTHER, OWN, bad_tokens, good_tokens
from tests.support.dossiers import registration

# Bodies the OpenAPI alone cannot make valid (domain rules behind the schema): without them
# the body is refused (422) before the role is looked at, and the matrix would test nothing.
BODIES = {"intake POST /api/v1/communes/{tenant_id}/dossiers": registration}


def _fill(case: Any, tenant: str, dossier: str) -> None:
    path = case.path_parameters or {}
    for name in list(path):
        if name == "tenant_id":
            path[name] = tenant
        elif name == "dossier_id":
            path[name] = dossier
        elif name.endswith("_id"):
            path[name] = str(uuid.UUID(int=1))
    case.path_parameters = path
    query = dict(case.query or {})
    for name in policy.COMMUNE_PARAMETERS:
        if name in _query_names(case):
            query[name] = [tenant]
    case.query = query


def _query_names(case: Any) -> set[str]:
    return {p.name for p in case.operation.query}


def _names_commune(case: Any) -> bool:
    return "tenant_id" in (case.path_parameters or {}) or bool(
        _query_names(case) & set(policy.COMMUNE_PARAMETERS)
    )


def _reveals(case: Any, response: requests.Response, dossier: str) -> bool:
    """A write that succeeded, or a read that shows something of the other commune's dossier."""
    if response.status_code >= 400:
        return False
    if case.operation.method.upper() != "GET":
        return True
    return dossier in response.text or OWN in response.text


def _code(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def run_matrix(
    urls: dict[str, str], specs: dict[str, dict[str, Any]], keys_dir: Path, own_dossier: str
) -> tuple[Counter[str], list[str]]:
    """Counts and problems (empty: the services answer as the policy table says)."""
    good = good_tokens(keys_dir)
    bad = bad_tokens(keys_dir)
    counts: Counter[str] = Counter()
    problems: list[str] = []
    seen: set[str] = set()
    session = requests.Session()

    def send(case: Any, token: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if case.operation.method.upper() != "GET":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        counts["requests"] += 1
        response = case.call(base_url=base, session=session, headers=headers, timeout=60)
        if response.status_code >= 500:
            counts["server errors"] += 1
            problems.append(f"{name} → {response.status_code}: {response.text[:200]}")
        return response

    def expect_refusal(label: str, response: requests.Response, status: set[int]) -> None:
        if response.status_code == 429:  # a rate limit answered first: not a verdict, counted
            counts["rate limited"] += 1
            return
        if response.status_code < 400:
            counts["leaks"] += 1
            problems.append(f"LEAK {label}: {response.status_code} {response.text[:200]}")
        elif response.status_code not in status and response.status_code < 500:
            counts["mismatches"] += 1
            problems.append(f"{label}: {response.status_code} {_code(response)}, want {status}")

    for service in urls:
        base = urls[service]
        for name, op in operations(service, specs[service]):
            seen.add(name)
            counts["operations"] += 1
            if name not in policy.POLICY:
                problems.append(f"{name}: not in the policy table")
                continue
            rule = policy.POLICY[name]
            case = first_case(op)
            if name in BODIES:
                case.body = BODIES[name]()
            _fill(case, OWN, own_dossier)
            if policy.is_public(rule):
                for token in (None, good["clerk@own"], bad["alg-none"]):
                    send(case, token)
                continue
            counts["secured operations"] += 1
            for label, token in (("none", None), *bad.items()):
                response = send(case, token)
                counts["bad tokens"] += 1
                if response.status_code < 400:
                    counts["bad tokens accepted"] += 1
                expect_refusal(f"{name} [{label}]", response, {401})
            for principal, token in good.items():
                for tenant in (OWN, OTHER) if "@" in principal else (OWN,):
                    _fill(case, tenant, own_dossier)
                    response = send(case, token)
                    own = principal.endswith("@own") == (tenant == OWN)
                    acc = policy.access(rule, principal)
                    label = f"{name} [{principal} → {tenant}]"
                    if tenant == OTHER and principal.endswith("@own"):
                        if _names_commune(case):  # another commune in the path
                            counts["other commune"] += 1
                            expect_refusal(label, response, {403})
                        continue
                    if tenant == OTHER:
                        # Its own commune in the path, another commune's dossier in it.
                        counts["own path, other's object"] += 1
                        if "dossier_id" not in (case.path_parameters or {}):
                            continue
                        if _reveals(case, response, own_dossier):
                            counts["leaks"] += 1
                            problems.append(f"LEAK {label}: {response.text[:200]}")
                        elif response.status_code < 400:
                            counts["empty answers"] += 1  # e.g. 200 []: nothing of OWN's
                        continue
                    if acc is None:
                        counts["role refused"] += 1
                        expect_refusal(label, response, {403})
                    elif acc == "own" and not own and _names_commune(case):
                        counts["other commune"] += 1
                        expect_refusal(label, response, {403})
                    elif response.status_code == 429:
                        counts["rate limited"] += 1
                    elif (
                        response.status_code in (401, 403)
                        and _code(response) not in policy.DOMAIN_REFUSALS
                    ):
                        counts["mismatches"] += 1
                        problems.append(f"{label}: refused {_code(response)}, allowed")
    for name in sorted(k for k in set(policy.POLICY) - seen if k.split()[0] in urls):
        problems.append(f"{name}: in the policy table, in no OpenAPI")
    counts.setdefault("leaks", 0)
    counts.setdefault("bad tokens accepted", 0)
    counts.setdefault("server errors", 0)
    counts.setdefault("mismatches", 0)
    counts.setdefault("rate limited", 0)
    if counts["rate limited"] * 20 > counts["requests"]:  # the matrix would verify too little
        problems.append(
            f"{counts['rate limited']} answers were 429: raise the limits in "
            "tests/abuse/platform_server.py (LIMITS) or the service's settings"
        )
    # Nothing skipped silently: every secured operation met every bad token and no token.
    assert counts["bad tokens"] == counts["secured operations"] * (len(bad) + 1)
    return counts, problems
