#!/bin/sh
# Backup and restore of MongoDB (in the cluster or Atlas), run in the guide's mongo-backup image
# (the MongoDB Database Tools: mongodump, mongorestore).
#
#   mongodb.sh backup   every database the user reads, as one gzip-compressed archive
#                       (mongodump --archive --gzip) into $BACKUP_DIR/$BACKUP_FILE.
#   mongodb.sh restore  $BACKUP_DIR/$BACKUP_FILE into the cluster, each collection dropped
#                       before it is restored (the guide: the restore cleans the database first);
#                       admin, config and local are left alone, so users and roles stay. Run
#                       again, it gives the same result.
#
# The password reaches the tools through a configuration file in the scratch folder (mode 0600),
# never their command line. Each tool run is bounded by MONGODB_TIMEOUT_SECONDS; every failure
# exits non-zero, so the Job fails and the backup alerts see it.
set -eu

mode=${1:-}
for name in MONGODB_URI MONGODB_USER MONGODB_PASSWORD BACKUP_DIR BACKUP_FILE; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "error: $name is not set" >&2
    exit 1
  fi
done
limit=${MONGODB_TIMEOUT_SECONDS:-3600}
file="$BACKUP_DIR/$BACKUP_FILE"
mkdir -p "$BACKUP_DIR"

umask 077
config="$BACKUP_DIR/.mongo-tools.yaml"
trap 'rm -f "$config"' EXIT
escaped=$(printf '%s' "$MONGODB_PASSWORD" | sed 's/\\/\\\\/g; s/"/\\"/g')
printf 'password: "%s"\n' "$escaped" > "$config"

case "$mode" in
  backup)
    rm -f "$file"
    timeout "$limit" mongodump --uri="$MONGODB_URI" --username="$MONGODB_USER" --config="$config" \
      --archive="$file.partial" --gzip
    if [ ! -s "$file.partial" ]; then
      echo "error: mongodump wrote no archive" >&2
      exit 1
    fi
    mv "$file.partial" "$file"
    echo "wrote $file"
    ;;
  restore)
    if [ ! -s "$file" ]; then
      echo "error: $file is missing or empty: the download step wrote nothing" >&2
      exit 1
    fi
    timeout "$limit" mongorestore --uri="$MONGODB_URI" --username="$MONGODB_USER" --config="$config" \
      --archive="$file" --gzip --drop --nsExclude='admin.*' --nsExclude='config.*' --nsExclude='local.*'
    echo "restored $file"
    ;;
  *)
    echo "usage: mongodb.sh backup|restore" >&2
    exit 2
    ;;
esac
