"""Schemathesis over the services' OpenAPI: one schema per service, cases drawn with a seed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode

from tests.abuse.policy import key


def operations(service: str, spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    schema = schemathesis.openapi.from_dict(spec)
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        op = result.ok()
        yield key(service, op.method, op.path), op


def run_cases(op: Any, mode: GenerationMode, examples: int, each: Callable[[Any], None]) -> None:
    """Calls `each` on `examples` cases of `op`, deterministically (derandomize), no shrinking."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=op.as_strategy(generation_mode=mode))
    def draw(case: Any) -> None:
        each(case)

    try:
        draw()
    except Unsatisfiable:
        # Negative cases of an operation with nothing to get wrong (no parameters, no body).
        if mode is not GenerationMode.NEGATIVE:
            raise


def first_case(op: Any) -> Any:
    found: list[Any] = []
    run_cases(op, GenerationMode.POSITIVE, 1, found.append)
    return found[0]
