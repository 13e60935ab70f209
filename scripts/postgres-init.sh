#!/bin/sh
# One PostgreSQL role and one database per service, each role the owner of its own database and unable to connect
# to the others' (docs/operations.md, "Least privilege"). docker-compose.yml mounts this file into the postgres
# image's /docker-entrypoint-initdb.d, which runs it once, on an empty data volume, as the superuser. It can be run
# again by hand (it creates only what is missing and sets each role's password anew).
#
# Reads: REGISTRATION_DB_PASSWORD, NOTIFICATIONS_DB_PASSWORD, REPORTING_DB_PASSWORD (required); PELITA_DB_PREFIX
# (default empty) before every role and database name, for tests and `make prod-smoke` on a shared server; and psql's
# own PGHOST, PGPORT (the image's entrypoint points psql at its private init socket).
set -eu

for service in registration notifications reporting; do
    variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    password="$(printenv "$variable" || true)"
    if [ -z "$password" ]; then
        echo "postgres-init: set $variable" >&2
        exit 1
    fi
    # The password reaches psql through its environment (\getenv), never its command line.
    PELITA_ROLE_PASSWORD="$password" psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
        -v name="${PELITA_DB_PREFIX:-}$service" <<'SQL'
\getenv password PELITA_ROLE_PASSWORD
SELECT format('CREATE ROLE %I', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
    WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
ALTER DATABASE :"name" OWNER TO :"name";
-- nobody but the owner (and the superuser) may connect: another service's role is refused at the door
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
\connect :"name"
ALTER SCHEMA public OWNER TO :"name";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done
