"""The one service Dockerfile (ARG SERVICE), read as text; `make images` builds it for real.

Each test reads it once per service, with ${SERVICE} substituted as the build would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
IGNORE = DOCKER / "Dockerfile.dockerignore"
SERVICES = ["intake", "workflow", "notify", "analytics"]


def dockerfile(svc: str) -> str:
    """The Dockerfile as a build with --build-arg SERVICE=<svc> reads it."""
    return DOCKERFILE.read_text(encoding="utf-8").replace("${SERVICE}", svc)


def test_one_dockerfile_for_the_four_services() -> None:
    assert sorted(p.name for p in DOCKER.iterdir()) == ["Dockerfile", "Dockerfile.dockerignore"]
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    stages = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    # SERVICE is declared in both stages (an ARG does not cross FROM) and checked at build.
    for start, end in zip(stages, [*stages[1:], len(steps)], strict=True):
        assert ("ARG", "SERVICE") in steps[start:end]
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert 'test -n "${SERVICE}"' in runs
    assert "intake|workflow|notify|analytics)" in runs


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


@pytest.mark.parametrize("svc", SERVICES)
def test_dockerfile_is_multi_stage_non_root_and_locked(svc: str) -> None:
    steps = instructions(dockerfile(svc))
    stages = [args for word, args in steps if word == "FROM"]
    assert len(stages) >= 2 and stages[0].endswith("AS builder"), stages
    final = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    runtime = steps[final:]
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert f"uv sync --frozen --no-dev --package motcua-{svc}" in runs
    # Only this service's sources enter; tests and test helpers are checked absent.
    copies = [args for word, args in steps if word == "COPY" and "--from" not in args]
    assert f"services/{svc}/ services/{svc}/" in copies
    assert not [c for c in copies if c.startswith("services/") and "pyproject" not in c
                and svc not in c]  # fmt: skip
    assert "testing.py" in runs and "standins.py" in runs and "import motcua_testkit" in runs
    assert f"test -d services/{svc}/migrations" in runs
    # The final stage: copies the built /app (venv + sources + migrations) and drops root.
    assert ("COPY", "--from=builder /app /app") in runtime
    users = [args for word, args in runtime if word == "USER"]
    assert users == ["10001:10001"]
    # exec-form ENTRYPOINT takes no build argument: a link made in the builder names the
    # service's console script.
    assert ("ENTRYPOINT", '["motcua-service"]') in runtime
    assert f"ln -s motcua-{svc} /app/.venv/bin/motcua-service" in runs
    env = " ".join(args for word, args in runtime if word == "ENV")
    assert "HOME=/tmp" in env and "PYTHONDONTWRITEBYTECODE=1" in env
    assert not [args for word, args in steps if word == "ADD"]  # nothing fetched by URL
    ignore = IGNORE.read_text(encoding="utf-8")
    assert "!services/" in ignore and "**/tests/" in ignore
    assert "!testkit/pyproject.toml" in ignore and "!testkit/\n" not in ignore


@pytest.mark.parametrize("svc", SERVICES)
def test_migrations_are_where_bootstrap_looks(svc: str) -> None:
    # bootstrap.py: Path(__file__).resolve().parents[2] / "migrations"
    bootstrap = ROOT / "services" / svc / "src" / svc / "bootstrap.py"
    assert 'parents[2] / "migrations"' in bootstrap.read_text(encoding="utf-8")
    assert (bootstrap.parents[2] / "migrations").is_dir()


SECRETISH = re.compile(
    r"(?i)(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_KEY|DATABASE_URL)"
)
SECRET_FILES = re.compile(r"(?i)(\.env\b|\.pem\b|\.key\b|id_rsa|\.p12\b|\.pfx\b|\.run/)")


def _json_args(args: str) -> list[str]:
    import json

    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


@pytest.mark.parametrize("svc", SERVICES)
def test_entrypoint_is_the_services_console_script_and_its_command_exists(
    svc: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ENTRYPOINT names a [project.scripts] entry whose target imports; CMD's sub-command,
    options and roles are ones the CLI accepts."""
    import importlib
    import sys
    import tomllib

    from motcua_platform.runtime import ALL_ROLES

    steps = instructions(dockerfile(svc))
    [entry] = [_json_args(a) for w, a in steps if w == "ENTRYPOINT"]
    assert entry == ["motcua-service"]
    entry = [f"motcua-{svc}"]  # what the link points to
    [cmd] = [_json_args(a) for w, a in steps if w == "CMD"]
    project = tomllib.loads((ROOT / "services" / svc / "pyproject.toml").read_text("utf-8"))
    scripts = project["project"]["scripts"]
    assert entry[0] in scripts, (entry, scripts)
    module, _, function = scripts[entry[0]].partition(":")
    main = getattr(importlib.import_module(module), function)
    # The CLI itself parses the image's sub-command (help only: nothing starts).
    monkeypatch.setattr(sys, "argv", [entry[0], cmd[0], "--help"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    usage = capsys.readouterr().out
    for option in (a for a in cmd[1:] if a.startswith("--")):
        assert option in usage, f"{svc}: {option} is not an option of {cmd[0]}"
    if "--roles" in cmd:
        assert set(cmd[cmd.index("--roles") + 1].split(",")) <= ALL_ROLES


@pytest.mark.parametrize("svc", SERVICES)
def test_healthcheck_probes_the_port_the_service_listens_on(svc: str) -> None:
    steps = instructions(dockerfile(svc))
    final = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    runtime = steps[final:]
    [health] = [a for w, a in runtime if w == "HEALTHCHECK"]
    [cmd] = [_json_args(a) for w, a in runtime if w == "CMD"]
    [expose] = [a for w, a in runtime if w == "EXPOSE"]
    port = cmd[cmd.index("--port") + 1]
    assert expose == port
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]+)", health)
    assert url is not None, health
    assert url.group(1) == port
    # The path is one every service serves (the platform's health router), as the chart's
    # liveness probe does.
    health_router = ROOT / "libs" / "platform" / "src" / "motcua_platform" / "health.py"
    assert f'"{url.group(2)}"' in health_router.read_text(encoding="utf-8")


@pytest.mark.parametrize("svc", SERVICES)
def test_no_secret_is_baked_into_the_image(svc: str) -> None:
    steps = instructions(dockerfile(svc))
    for word, args in steps:
        if word in ("ENV", "ARG", "LABEL"):
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)=", args) or [args.split()[0]]
            assert not [n for n in names if SECRETISH.search(n)], f"{svc}: {word} {args}"
        if word == "COPY":
            assert not SECRET_FILES.search(args), f"{svc}: COPY {args}"
        if word == "RUN":
            assert "--mount=type=secret" not in args or "cat " not in args, args
    # The build context never carries local secrets or run state: everything is excluded
    # unless listed, and nothing listed can hold them.
    ignore = IGNORE.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in ignore.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "*"
    allowed = [ln[1:] for ln in lines if ln.startswith("!")]
    assert not [a for a in allowed if SECRET_FILES.search(a) or a.startswith((".run", ".env"))]
