"""`motcua-notify serve|migrate|replay-dead-letters`."""

from motcua_platform.serve import run_cli

from notify.bootstrap import build_runtime
from notify.entrypoints.replay import replay_dead_letters


def main() -> None:
    run_cli(
        prog="motcua-notify",
        build_runtime=build_runtime,
        default_port=8003,
        default_roles="api,relay,consumer,timers",
        extra={"replay-dead-letters": replay_dead_letters},
    )


if __name__ == "__main__":
    main()
