#!/bin/sh
# Back up each Pelita store: one pg_dump per database in PostgreSQL's custom format (compressed; pg_restore reads
# it, a table at a time if need be), in a dated file, and delete that database's dumps older than the days kept.
# Run it nightly (docs/operations.md: a cron line or a systemd timer). It exits non-zero when any database failed,
# so cron mails or systemd marks the run failed; the other databases are still backed up.
#
#   PELITA_BACKUP_DIR        where the dumps go, one folder per database   (default /var/backups/pelita)
#   PELITA_BACKUP_KEEP_DAYS  dumps older than this many days are deleted   (default 14)
#   PELITA_BACKUP_DATABASES  the databases, separated by spaces            (default "registration notifications reporting")
#   PGHOST PGPORT PGUSER PGPASSWORD/PGPASSFILE   which server and role, as for psql: a role that may read every table
#
# The dumps hold people's names and contacts: they are written readable by their owner only (umask 077). Copy them
# off the machine (docs/operations.md) and keep them no longer than the stores keep the data.
set -eu
umask 077

dir=${PELITA_BACKUP_DIR:-/var/backups/pelita}
keep_days=${PELITA_BACKUP_KEEP_DAYS:-14}
databases=${PELITA_BACKUP_DATABASES:-registration notifications reporting}

case $keep_days in
    '' | *[!0-9]*) echo "backup: PELITA_BACKUP_KEEP_DAYS must be a whole number of days, not '$keep_days'" >&2; exit 2 ;;
esac
[ "$keep_days" -ge 1 ] || { echo "backup: PELITA_BACKUP_KEEP_DAYS must be at least 1" >&2; exit 2; }

failed=""
stamp=$(date -u +%Y%m%dT%H%M%SZ)
for database in $databases; do
    case $database in
        *[!A-Za-z0-9_]*) echo "backup: '$database' is not a database name Pelita uses" >&2; failed="$failed $database"; continue ;;
    esac
    mkdir -p "$dir/$database"
    file="$dir/$database/$database-$stamp.dump"
    # written under a temporary name and checked readable before it takes its real one: a dump cut short by a full
    # disk or a lost connection never looks like a backup
    if pg_dump --format=custom --file="$file.partial" "$database" && pg_restore --list "$file.partial" >/dev/null; then
        mv "$file.partial" "$file"
        echo "backup: $database -> $file ($(wc -c <"$file") bytes)"
        # only after a good dump: the newest backups are never deleted for want of a new one
        find "$dir/$database" -maxdepth 1 -type f -name "$database-*.dump" -mmin +$((keep_days * 1440)) \
            -print -delete | sed 's/^/backup: deleted /'
    else
        rm -f "$file.partial"
        echo "backup: $database FAILED (pg_dump or its check); older dumps kept" >&2
        failed="$failed $database"
    fi
done

if [ -n "$failed" ]; then
    echo "backup: failed:$failed" >&2
    exit 1
fi
