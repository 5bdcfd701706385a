"""One role set: a role the identity provider grants is named `Role.X`, never spelled out.

A role typed as a bare string drifts silently (a typo grants nothing, a renamed role keeps an
old spelling somewhere); `motcua_platform.auth.roles` is the only place that spells them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from motcua_platform.auth.roles import Role

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("services/*/src", "libs/*/src", "testkit/src", "standalone/src")
ROLES_MODULE = Path("libs/platform/src/motcua_platform/auth/roles.py")
# Same spelling, not a role: (file, line's literal) -> why.
NOT_ROLES: dict[tuple[str, str], str] = {
    ("services/notify/src/notify/application/views.py", "leader"): (
        "the duty roster's entry key (`{'leader': {...}}` in a commune's profile)"
    ),
    ("services/workflow/src/workflow/domain/duty.py", "leader"): (
        "the duty roster's entry key (`{'leader': {...}}` in a commune's profile)"
    ),
    ("services/notify/src/notify/domain/kinds.py", "leader"): (
        "a letter's recipient kind (Recipient.LEADER), a contract value, not a grant"
    ),
}


def role_literals(path: Path) -> list[tuple[int, str]]:
    names = {role.value for role in Role}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    )


def _sources() -> list[Path]:
    return sorted(
        path
        for pattern in SOURCES
        for src in ROOT.glob(pattern)
        for path in src.rglob("*.py")
        if path.relative_to(ROOT) != ROLES_MODULE
    )


def test_no_role_is_spelled_as_a_string_outside_the_roles_module() -> None:
    found = [
        f"{rel}:{line}: {value!r}"
        for path in _sources()
        for rel in [path.relative_to(ROOT).as_posix()]
        for line, value in role_literals(path)
        if (rel, value) not in NOT_ROLES
    ]
    assert not found, "use motcua_platform.auth.roles.Role:\n" + "\n".join(found)


def test_the_scan_sees_sources_and_every_allowed_literal_is_still_there() -> None:
    sources = {path.relative_to(ROOT).as_posix() for path in _sources()}
    assert len(sources) > 100  # the globs reach every service, library, testkit, standalone
    for rel, value in NOT_ROLES:
        assert rel in sources, rel
        assert value in {v for _, v in role_literals(ROOT / rel)}, f"stale allow-list: {rel}"


def test_the_scan_finds_a_bare_role_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'def f(p):\n    return p.has("province_monitor") or f"{mint(\'clerk\')}"\n',
        encoding="utf-8",
    )
    assert role_literals(sample) == [(2, "clerk"), (2, "province_monitor")]
