from intake.adapters.tables import metadata
from motcua_platform.migrations import run_env

run_env(metadata)
