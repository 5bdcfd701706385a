# shellcheck shell=bash
# services_write_env: (re)write .run/services.env with the settings of the
# services that are running now; remove it when none is.  Sourced after
# scripts/lib/kafka.sh and scripts/lib/postgres.sh.

services_write_env() {
  local env_file="$MOTCUA_RUN_DIR/services.env" kafka_up=0 pg_up=0
  kafka_is_running && kafka_up=1
  pg_is_running && pg_up=1
  if ((kafka_up + pg_up == 0)); then
    rm -f "$env_file"
    return 0
  fi
  mkdir -p "$MOTCUA_RUN_DIR"
  {
    echo "# Written by scripts/services-*.sh on $(date -Is). Source it: . .run/services.env"
    if ((kafka_up)); then
      echo "export MOTCUA_KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP"
    fi
    if ((pg_up)); then
      echo "export MOTCUA_PG_HOST=$PG_HOST"
      echo "export MOTCUA_PG_PORT=$PG_PORT"
      echo "export MOTCUA_PG_USER=$PG_APP_USER"
      echo "export MOTCUA_PG_PASSWORD=$PG_APP_PASSWORD"
      echo "# append /<database>: ${PG_DATABASES[*]}"
      echo "export MOTCUA_PG_DSN_BASE=postgresql+asyncpg://$PG_APP_USER:$PG_APP_PASSWORD@$PG_HOST:$PG_PORT"
    fi
  } >"$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
}
