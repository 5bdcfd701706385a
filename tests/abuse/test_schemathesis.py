"""Schemathesis over all four services' OpenAPI, with tokens that may call each operation.

Checks: no 5xx, every answer conforms to the declared schema and content type, and every
4xx carries the platform's error body (a machine `code`, a Vietnamese `message`). 429 is an
allowed answer (rate limits). Deterministic: derandomized cases, a fixed count per operation.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

import requests
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.abuse import policy
from tests.abuse.cases import operations, run_cases
from tests.abuse.conftest import record
from tests.abuse.platform_server import RunningPlatform
from tests.abuse.tokens import OWN, good_tokens

SERVICES = ("intake", "workflow", "notify", "analytics")
# About 2,700 requests: the whole abuse suite stays within ~3 minutes on 2 shared cores.
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 20}
# Who calls an operation in this suite: the first principal the policy table allows.
PREFERENCE = ("clerk@own", "leader@own", "operator", "monitor", "service:notify@own")
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
VIETNAMESE = re.compile(r"[À-ỹĐđ]")


def error_body_problem(response: Any, case: Any) -> str | None:
    """None when a 4xx has the platform's body: `code` (dotted, lower case) and a Vietnamese
    `message`; otherwise what is wrong. A page the operation declares as HTML for that status
    (the citizen's look-up in a browser) is a page, not an API error."""
    if not 400 <= response.status_code < 500:
        return None
    if _content_type(response).startswith("text/html"):
        declared = case.operation.definition.raw.get("responses", {})
        content = declared.get(str(response.status_code), {}).get("content", {})
        if "text/html" in content:
            return None
    try:
        body = response.json()
    except ValueError:
        return f"not JSON ({_content_type(response)})"
    if not isinstance(body, dict):
        return "not an object"
    code, message = body.get("code"), body.get("message")
    if not isinstance(code, str) or not CODE.match(code):
        return f"no machine code ({code!r})"
    if not isinstance(message, str) or not VIETNAMESE.search(message):
        return f"message not Vietnamese ({message!r})"
    return None


def _content_type(response: Any) -> str:
    value = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
    return str(value[0] if isinstance(value, list) and value else value)


def _principal(rule: policy.Rule) -> str | None:
    if policy.is_public(rule):
        return None
    return next(p for p in PREFERENCE if policy.access(rule, p) is not None)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    abuse_platform: RunningPlatform, own_dossier: str
) -> None:
    tokens = good_tokens(abuse_platform.keys_dir)
    counts: Counter[str] = Counter()
    problems: list[str] = []
    session = requests.Session()
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]

    for service in SERVICES:
        base = abuse_platform.urls[service]
        for name, op in operations(service, abuse_platform.specs[service]):
            counts["operations"] += 1
            principal = _principal(policy.POLICY[name])
            headers = {"Authorization": f"Bearer {tokens[principal]}"} if principal else {}

            def each(
                case: Any, name: str = name, headers: dict[str, str] = headers, base: str = base
            ) -> None:
                path = case.path_parameters or {}
                if "tenant_id" in path:
                    path["tenant_id"] = OWN  # the matrix covers the other communes
                if "dossier_id" in path and counts["requests"] % 2 == 0:
                    path["dossier_id"] = own_dossier  # reach the handler's real work too
                sent = dict(headers)
                if case.operation.method.upper() != "GET":
                    sent.setdefault("Idempotency-Key", uuid.uuid4().hex)
                counts["requests"] += 1
                response = case.call(base_url=base, session=session, headers=sent, timeout=60)
                counts[f"status {response.status_code // 100}xx"] += 1
                if response.status_code >= 500:
                    counts["server errors"] += 1
                    problems.append(f"{name}: {response.status_code} {case.as_curl_command()}")
                    return
                if response.status_code == 429:
                    counts["rate limited"] += 1
                    return
                try:
                    case.validate_response(response, checks=checks, headers=sent)
                except FailureGroup as group:
                    failures = list(group.exceptions)
                    for failure in failures:
                        counts["schema violations"] += 1
                        title = failure.title if isinstance(failure, Failure) else str(failure)
                        problems.append(
                            f"{name}: {response.status_code} {title}: {str(failure)[:300]}"
                            f" — {case.as_curl_command()}"
                        )
                wrong = error_body_problem(response, case)
                if wrong:
                    counts["error bodies without code/message"] += 1
                    problems.append(f"{name}: {response.status_code} {wrong}")

            for mode, examples in EXAMPLES.items():
                run_cases(op, mode, examples, each)
    for key in ("server errors", "schema violations", "error bodies without code/message"):
        counts.setdefault(key, 0)
    record("schemathesis", counts)
    print(dict(counts))
    assert not problems, "\n".join(problems[:40])
