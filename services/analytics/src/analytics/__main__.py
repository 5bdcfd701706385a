"""`motcua-analytics serve|migrate`."""

from motcua_platform.serve import run_cli

from analytics.bootstrap import build_runtime


def main() -> None:
    run_cli(
        prog="motcua-analytics",
        build_runtime=build_runtime,
        default_port=8004,
        default_roles="api,consumer",
    )


if __name__ == "__main__":
    main()
