"""`motcua-analytics serve|migrate|rebuild|dashboard-url`."""

from motcua_platform.serve import run_cli

from analytics.bootstrap import build_runtime
from analytics.entrypoints.cli import dashboard_url, rebuild


def main() -> None:
    run_cli(
        prog="motcua-analytics",
        build_runtime=build_runtime,
        default_port=8004,
        default_roles="api,consumer",
        extra={"rebuild": rebuild, "dashboard-url": dashboard_url},
    )


if __name__ == "__main__":
    main()
