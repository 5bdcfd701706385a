"""The standalone platform (SQLite + in-process bus, all four services) with intake served on
a port, for the desk's browser test: `python tests/browser/desk_server.py DATA_DIR PORT`.

MOTCUA_DEV_KEYS_DIR names the development keys the test mints its own tokens with.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import uvicorn
from motcua_standalone.platform import Platform


async def main(data: Path, port: int) -> None:
    platform = Platform(data, settings={"intake": {"public_base_url": f"http://127.0.0.1:{port}"}})
    await platform.start()
    app = platform.runtimes["intake"].app
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    try:
        await uvicorn.Server(config).serve()
    finally:
        await platform.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
