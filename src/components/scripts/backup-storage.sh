#!/bin/bash
# Moves one backup file between the pod's scratch folder and the aura-backups Blob container.
# Runs in the Azure CLI image, as the last step of a backup or the first of a restore.
#
#   backup-storage.sh upload    $BACKUP_DIR/$BACKUP_FILE becomes the blob
#                               <BACKUP_PREFIX><base>-<UTC time>.<ext> (redis/redis-20250101T023000Z.rdb.gz);
#                               then this store's backups older than BACKUP_RETENTION_DAYS are deleted
#                               (by the time in their name; nothing under RESTORE_PREFIX is touched).
#   backup-storage.sh download  the one blob under RESTORE_PREFIX becomes $BACKUP_DIR/$BACKUP_FILE;
#                               none, or more than one, is an error: a restore replaces the database.
#
# The connection string reaches az through its environment, never its command line. Every az call
# is bounded by BACKUP_TRANSFER_TIMEOUT_SECONDS; any failure exits non-zero, so the Job fails.
set -euo pipefail

mode=${1:-}
for name in BACKUP_CONTAINER BACKUP_PREFIX RESTORE_PREFIX BACKUP_DIR BACKUP_FILE BACKUP_STORAGE_CONNECTION_STRING; do
  if [ -z "${!name:-}" ]; then
    echo "error: $name is not set" >&2
    exit 1
  fi
done
export AZURE_STORAGE_CONNECTION_STRING=$BACKUP_STORAGE_CONNECTION_STRING
# az writes its configuration and logs under its folder: the root filesystem is read-only.
export AZURE_CONFIG_DIR=${AZURE_CONFIG_DIR:-/tmp/azure}
export AZURE_CORE_COLLECT_TELEMETRY=no
limit=${BACKUP_TRANSFER_TIMEOUT_SECONDS:-1800}
file="$BACKUP_DIR/$BACKUP_FILE"
base=${BACKUP_FILE%%.*}
ext=${BACKUP_FILE#*.}

az_() {
  timeout "$limit" az "$@" --only-show-errors
}

names_under() {
  az_ storage blob list --container-name "$BACKUP_CONTAINER" --prefix "$1" --num-results '*' --query '[].name' --output tsv
}

case "$mode" in
  upload)
    if [ ! -s "$file" ]; then
      echo "error: $file is missing or empty: the backup step wrote nothing" >&2
      exit 1
    fi
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    blob="${BACKUP_PREFIX}${base}-${stamp}.${ext}"
    az_ storage blob upload --container-name "$BACKUP_CONTAINER" --name "$blob" --file "$file" --no-progress --output none
    echo "uploaded $BACKUP_CONTAINER/$blob ($(stat -c %s "$file") bytes)"
    days=${BACKUP_RETENTION_DAYS:-7}
    cutoff=$(date -u -d "@$(($(date -u +%s) - days * 86400))" +%Y%m%dT%H%M%SZ)
    while IFS= read -r name; do
      [ -n "$name" ] || continue
      when=${name#"${BACKUP_PREFIX}${base}-"}
      when=${when%%.*}
      # Only blobs named as this script names them: anything else under the prefix is someone's.
      [[ $when =~ ^[0-9]{8}T[0-9]{6}Z$ ]] || continue
      if [[ $when < $cutoff ]]; then
        az_ storage blob delete --container-name "$BACKUP_CONTAINER" --name "$name" --output none
        echo "deleted $BACKUP_CONTAINER/$name (older than $days days)"
      fi
    done < <(names_under "${BACKUP_PREFIX}${base}-")
    ;;
  download)
    mapfile -t found < <(names_under "$RESTORE_PREFIX" | sed '/^$/d')
    if [ "${#found[@]}" -eq 0 ]; then
      echo "error: no backup under $BACKUP_CONTAINER/$RESTORE_PREFIX: copy the backup to restore there first" >&2
      exit 1
    fi
    if [ "${#found[@]}" -gt 1 ]; then
      echo "error: ${#found[@]} blobs under $BACKUP_CONTAINER/$RESTORE_PREFIX (${found[*]}): leave only the one to restore" >&2
      exit 1
    fi
    mkdir -p "$BACKUP_DIR"
    az_ storage blob download --container-name "$BACKUP_CONTAINER" --name "${found[0]}" --file "$file" --no-progress --output none
    if [ ! -s "$file" ]; then
      echo "error: $BACKUP_CONTAINER/${found[0]} is empty" >&2
      exit 1
    fi
    echo "downloaded $BACKUP_CONTAINER/${found[0]} ($(stat -c %s "$file") bytes)"
    ;;
  *)
    echo "usage: backup-storage.sh upload|download" >&2
    exit 2
    ;;
esac
