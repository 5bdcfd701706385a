from motcua_platform.migrations import run_env
from workflow.adapters.tables import metadata

run_env(metadata)
