"""`motcua-intake serve|migrate|seed-pilot|dev-token|onboard`."""

import sys

from motcua_platform.runtime import ServiceRuntime
from motcua_platform.serve import run_cli

from intake.bootstrap import build_runtime, seed_tenants


async def _seed_pilot(runtime: ServiceRuntime) -> None:
    await runtime.migrate()
    print(f"đã nạp {await seed_tenants(runtime)} đơn vị thí điểm")


def _onboard(argv: list[str]) -> int:
    from intake.onboard import main as onboard

    return onboard(argv)


def _dev_token(argv: list[str]) -> int:
    from intake.auth.dev_tokens import main as dev_token

    return dev_token(argv)


def main(argv: list[str] | None = None) -> None:
    run_cli(
        prog="motcua-intake",
        build_runtime=build_runtime,
        default_port=8001,
        default_roles="api,relay,consumer",
        extra={"seed-pilot": _seed_pilot},
        extra_help={"seed-pilot": "nạp ba đơn vị thí điểm của Sơn La"},
        tools={
            "onboard": ("nạp các đơn vị cấp xã của một tệp qua API", _onboard),
            "dev-token": ("in mã truy cập phát triển (không dùng cho môi trường thật)", _dev_token),
        },
        argv=sys.argv[1:] if argv is None else argv,
    )


if __name__ == "__main__":
    main()
