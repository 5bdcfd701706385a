"""`motcua-notify serve|migrate`."""

from motcua_platform.serve import run_cli

from notify.bootstrap import build_runtime


def main() -> None:
    run_cli(
        prog="motcua-notify",
        build_runtime=build_runtime,
        default_port=8003,
        default_roles="api,relay,consumer",
    )


if __name__ == "__main__":
    main()
