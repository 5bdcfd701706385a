"""Every operation of every service × every principal × own/other commune × bad tokens, on
the standalone platform (all four services); see `matrix.py` and the table in `policy.py`."""

from __future__ import annotations

from tests.abuse.conftest import record
from tests.abuse.matrix import run_matrix
from tests.abuse.platform_server import RunningPlatform


def test_every_operation_refuses_what_the_policy_table_refuses(
    abuse_platform: RunningPlatform, own_dossier: str
) -> None:
    counts, problems = run_matrix(
        abuse_platform.urls, abuse_platform.specs, abuse_platform.keys_dir, own_dossier
    )
    record("authorisation matrix", counts)
    print(dict(counts))
    assert not problems, "\n".join(problems[:60])
