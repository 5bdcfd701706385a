from motcua_platform.migrations import run_env
from notify.adapters.tables import metadata

run_env(metadata)
