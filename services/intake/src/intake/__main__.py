"""`motcua-intake serve|migrate|seed-pilot|dev-token|onboard`."""

import sys

from motcua_platform.runtime import ServiceRuntime
from motcua_platform.serve import run_cli

from intake.bootstrap import build_runtime, seed_tenants


async def _seed_pilot(runtime: ServiceRuntime) -> None:
    await runtime.migrate()
    print(f"đã nạp {await seed_tenants(runtime)} đơn vị thí điểm")


def main() -> None:
    if sys.argv[1:2] == ["dev-token"]:
        from intake.auth.dev_tokens import main as dev_token

        raise SystemExit(dev_token(sys.argv[2:]))
    if sys.argv[1:2] == ["onboard"]:
        from intake.onboard import main as onboard

        raise SystemExit(onboard(sys.argv[2:]))
    run_cli(
        prog="motcua-intake",
        build_runtime=build_runtime,
        default_port=8001,
        default_roles="api,relay,consumer",
        extra={"seed-pilot": _seed_pilot},
    )


if __name__ == "__main__":
    main()
