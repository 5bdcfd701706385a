"""The chaos campaign's own Kafka and PostgreSQL: it stops and restarts them, never the shared ones.

Same scripts as `make services-up`, with another run folder and other ports. The ports are below
the kernel's ephemeral range (32768-60999): while a server is down, clients retrying a loopback
port inside that range can connect to themselves and hold the port, and the server cannot bind
it again when it comes back.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


@dataclass
class ChaosServers:
    run_dir: Path = ROOT / ".run" / "chaos"
    kafka_port: int = 29592
    pg_port: int = 25732

    @property
    def script_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "MOTCUA_RUN_DIR": str(self.run_dir),
            "MOTCUA_KAFKA_PORT": str(self.kafka_port),
            "MOTCUA_KAFKA_CONTROLLER_PORT": str(self.kafka_port + 1),
            "MOTCUA_PG_PORT": str(self.pg_port),
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def dsn_base(self) -> str:
        return f"postgresql+asyncpg://motcua:motcua@127.0.0.1:{self.pg_port}"

    def _run(self, *args: str) -> None:
        subprocess.run(["bash", *args], env=self.script_env, check=True, cwd=ROOT)

    def up(self) -> None:
        """Fresh servers every campaign: a previous run's records would reach the new consumer
        groups (they read from the earliest offset) and dead-letter for dossiers this run's
        databases never saw."""
        self._run(str(SCRIPTS / "services-down.sh"), "--purge")
        self._run(str(SCRIPTS / "services-up.sh"))

    def down(self) -> None:
        self._run(str(SCRIPTS / "services-down.sh"))

    def kafka(self, action: str) -> None:
        """start | stop | kill: the broker alone (kafka-ctl.sh waits until it answers again)."""
        self._run(str(SCRIPTS / "kafka-ctl.sh"), action)

    def postgres(self, action: str) -> None:
        """start | stop: `pg_ctl` on the campaign's own cluster."""
        self._run(str(SCRIPTS / "lib" / "postgres.sh"), action)
