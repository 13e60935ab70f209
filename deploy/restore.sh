#!/bin/sh
# Restore one of deploy/backup.sh's dumps into a NEW database, never over an existing one:
#
#   deploy/restore.sh /var/backups/pelita/registration/registration-20261204T020000Z.dump registration_restored
#
#   PGHOST PGPORT PGUSER PGPASSWORD/PGPASSFILE   which server and role, as for psql: a role that may create databases
#   PELITA_RESTORE_OWNER   the role that will own the database and everything in it, e.g. the service's own role
#                          (default: PGUSER); the dump's own owners and grants are not carried over
#
# It runs in one transaction: on any error nothing is left but an empty database, which it drops. Then point the
# service at the restored database (its *_DATABASE_URL) or swap the names; docs/operations.md says how.
set -eu

usage() { echo "usage: $0 DUMP_FILE NEW_DATABASE" >&2; exit 2; }
[ $# -eq 2 ] || usage
dump=$1
database=$2
case $database in
    '' | *[!A-Za-z0-9_]*) echo "restore: the database name may hold only letters, digits and _" >&2; exit 2 ;;
esac
[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 2; }
pg_restore --list "$dump" >/dev/null || { echo "restore: $dump is not a pg_dump custom-format file" >&2; exit 2; }

exists=$(psql -X -At -d postgres -v name="$database" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'name';
SQL
)
if [ "$exists" != 0 ]; then
    echo "restore: database $database exists; restore only into a new one (this never overwrites)" >&2
    exit 1
fi

owner=${PELITA_RESTORE_OWNER:-}
if [ -n "$owner" ]; then
    createdb --owner="$owner" "$database"
    role_option="--role=$owner"
else
    createdb "$database"
    role_option=""
fi
# shellcheck disable=SC2086 # role_option is one word or none
if ! pg_restore --exit-on-error --single-transaction --no-owner --no-privileges $role_option --dbname="$database" "$dump"; then
    echo "restore: failed; dropping the new, empty database $database" >&2
    dropdb "$database"
    exit 1
fi
echo "restore: $dump -> database $database"
