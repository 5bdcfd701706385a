"""`motcua-workflow serve|migrate`."""

from motcua_platform.serve import run_cli

from workflow.bootstrap import build_runtime


def main() -> None:
    run_cli(
        prog="motcua-workflow",
        build_runtime=build_runtime,
        default_port=8002,
        default_roles="api,relay,consumer,timers",
    )


if __name__ == "__main__":
    main()
