#!/usr/bin/env python3
"""Moving a cluster's logs to a new one (aura-manifests migrate-logs), in two Jobs:

  log-migration.py snapshot   on the source: a snapshot of the log indices, now, into this
                              cluster's repository (its folder of the shared container), and wait
                              until it is SUCCESS.
  log-migration.py restore    on the destination: register the source's folder as a read-only
                              repository, take its newest successful snapshot and restore its log
                              indices beside this cluster's own (each as <index>-restored: out of
                              the write aliases, matched by the streams' patterns), then wait for
                              them to be searchable. An index restored before is not restored again.

Elasticsearch at ELASTICSEARCH_URL, verified against ECK's CA (ELASTICSEARCH_CA_FILE), as the
elastic user (ELASTIC_USERNAME, ELASTIC_PASSWORD from Key Vault). Every request is bounded
(REQUEST_TIMEOUT_SECONDS), every wait too (WAIT_SECONDS, polled every POLL_SECONDS); an error exits 1
with one line naming the request, never a secret.
"""
import base64
import datetime
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

RESTORED_SUFFIX = "-restored"


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def setting(name, default=None):
    value = os.environ.get(name, default)
    if value is None or value == "":
        fail(f"{name} is not set")
    return value


def seconds(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        fail(f"{name} is not a number of seconds")


class Elasticsearch:
    def __init__(self):
        url = urllib.parse.urlsplit(setting("ELASTICSEARCH_URL"))
        if url.scheme != "https" or not url.hostname:
            fail("ELASTICSEARCH_URL is not an https URL")
        self.host, self.port = url.hostname, url.port or 443
        token = base64.b64encode(f"{setting('ELASTIC_USERNAME')}:{setting('ELASTIC_PASSWORD')}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self.timeout = seconds("REQUEST_TIMEOUT_SECONDS", "30")
        self.context = ssl.create_default_context(cafile=setting("ELASTICSEARCH_CA_FILE"))
        # ECK names the Service as <name>.<namespace>.svc; the name is checked below, with or without .cluster.local.
        self.context.check_hostname = False

    def call(self, method, path, body=None):
        conn = None
        try:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
            conn.connect()
            names = [v for k, v in conn.sock.getpeercert().get("subjectAltName", ()) if k in ("DNS", "IP Address")]
            if not {self.host, self.host.removesuffix(".cluster.local")}.intersection(names):
                fail(f"the certificate of {self.host} names {', '.join(names) or 'nothing'}, not this host")
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
            response = conn.getresponse()
            raw = response.read()
        except ssl.SSLCertVerificationError as e:
            fail(f"{self.host}: the certificate is not trusted by the CA file: {e.verify_message}")
        except (OSError, http.client.HTTPException) as e:
            fail(f"{method} {path}: {e.__class__.__name__}: {e}")
        finally:
            if conn is not None:
                conn.close()
        if response.status in (401, 403):
            fail(f"{method} {path} answered {response.status}: the credentials are refused")
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def expect(self, method, path, body=None, ok=(200, 201)):
        status, answer = self.call(method, path, body)
        if status not in ok:
            fail(f"{method} {path} answered {status}: {reason(answer)}")
        return answer


def reason(answer):
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        return f"{error.get('type', '')}: {error.get('reason', '')}".strip(": ")
    return str(answer)[:200]


def wait(what, ready):
    deadline = time.monotonic() + seconds("WAIT_SECONDS", "3600")
    poll = seconds("POLL_SECONDS", "5")
    while True:
        verdict = ready()
        if verdict is True:
            return
        if verdict is not None:
            fail(f"{what}: {verdict}")
        if time.monotonic() > deadline:
            fail(f"gave up waiting for {what}")
        time.sleep(poll)


def snapshot(es):
    repository = urllib.parse.quote(setting("SNAPSHOT_REPOSITORY"))
    # To the microsecond: a second run in the same second is another snapshot, not a refused name.
    name = "aura-logs-migration-" + datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S%f")
    es.expect("PUT", f"/_snapshot/{repository}/{name}?wait_for_completion=false",
              {"indices": setting("SNAPSHOT_INDICES"), "include_global_state": False, "metadata": {"taken_by": "aura-manifests migrate-logs"}})

    def done():
        answer = es.expect("GET", f"/_snapshot/{repository}/{name}")
        state = ((answer or {}).get("snapshots") or [{}])[0].get("state")
        if state == "SUCCESS":
            return True
        if state in ("FAILED", "PARTIAL", "INCOMPATIBLE"):
            return f"snapshot {name} ended {state}"
        return False

    wait(f"snapshot {name}", done)
    print(f"snapshot {name} of {setting('SNAPSHOT_INDICES')} in {setting('SNAPSHOT_REPOSITORY')}: SUCCESS")


def restore(es):
    repository = setting("MIGRATION_REPOSITORY")
    source = setting("SOURCE_CLUSTER")
    es.expect("PUT", f"/_snapshot/{urllib.parse.quote(repository)}",
              {"type": "azure", "settings": {"client": "default", "container": setting("SNAPSHOT_CONTAINER"), "base_path": source, "readonly": True}})
    answer = es.expect("GET", f"/_snapshot/{urllib.parse.quote(repository)}/_all")
    done = [s for s in (answer or {}).get("snapshots", []) if s.get("state") == "SUCCESS"]
    if not done:
        fail(f"no successful snapshot in the folder of {source}: take one on the source (migrate-logs step 1)")
    newest = max(done, key=lambda s: s.get("start_time_in_millis", 0))
    patterns = [p.strip().rstrip("*") for p in setting("SNAPSHOT_INDICES").split(",") if p.strip()]
    logs = sorted(i for i in newest.get("indices", []) if any(i.startswith(p) for p in patterns) and not i.endswith(RESTORED_SUFFIX))
    pending = [i for i in logs if es.call("HEAD", f"/{urllib.parse.quote(i + RESTORED_SUFFIX)}")[0] != 200]
    if pending:
        es.expect("POST", f"/_snapshot/{urllib.parse.quote(repository)}/{urllib.parse.quote(newest['snapshot'])}/_restore?wait_for_completion=false", {
            "indices": ",".join(pending),
            "include_global_state": False,
            "include_aliases": False,
            "rename_pattern": "(.+)",
            "rename_replacement": "$1" + RESTORED_SUFFIX,
            # Out of the rollover: the lifecycle only deletes them when their time comes.
            "index_settings": {"index.lifecycle.indexing_complete": True},
        })
    restored = ",".join(i + RESTORED_SUFFIX for i in logs)

    def searchable():
        status, health = es.call("GET", f"/_cluster/health/{urllib.parse.quote(restored, safe=',')}?wait_for_status=yellow&timeout=10s")
        return status == 200 and (health or {}).get("status") in ("yellow", "green")

    if logs:
        wait(f"the restored indices of {newest['snapshot']}", lambda: True if searchable() else False)
    print(f"restored {len(pending)} of {len(logs)} log indices of snapshot {newest['snapshot']} from {source} ({len(logs) - len(pending)} restored before)")


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("snapshot", "restore"):
        fail("usage: log-migration.py snapshot|restore")
    es = Elasticsearch()
    (snapshot if sys.argv[1] == "snapshot" else restore)(es)


if __name__ == "__main__":
    main()
