#!/usr/bin/env python3
"""Applies requests.json (beside this script) to Elasticsearch and Kibana, in its order.

Each request names its method, path and body file; optional fields:
  target    "kibana" sends it to KIBANA_URL (saved objects, imported as a file upload)
  unless    a path: the request is skipped when HEAD on it answers 200 (the bootstrap write
            index is created once; after that the alias belongs to the rollover)
  password  an environment variable whose value becomes the body's "password" (Kibana users:
            the password comes from Key Vault, never from a file)
Every request but the guarded ones is a declarative PUT or an import with overwrite: a second run
leaves everything as it was. The script waits for the cluster (yellow or green) and for Kibana
(available) before their first request, each wait and request bounded; any error exits 1.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aura_http import Api, ApiUnreachable, env, fail, multipart  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    try:
        with open(os.path.join(HERE, name), "rb") as f:
            return f.read()
    except OSError as e:
        fail(f"cannot read {name}: {e.strerror}")


def main():
    user, password = env("ELASTIC_USERNAME"), env("ELASTIC_PASSWORD")
    apis = {
        "elasticsearch": Api("Elasticsearch", env("ELASTICSEARCH_URL"), user, password, os.environ.get("ELASTICSEARCH_CA_FILE")),
        "kibana": Api("Kibana", env("KIBANA_URL"), user, password, os.environ.get("KIBANA_CA_FILE"), {"kbn-xsrf": "aura-manifests"}),
    }
    ready = {
        "elasticsearch": ("the cluster to be yellow or green", lambda: cluster_ready(apis["elasticsearch"])),
        "kibana": ("Kibana to be available", lambda: kibana_ready(apis["kibana"])),
    }
    waited = set()
    try:
        requests = json.loads(read("requests.json"))
    except ValueError as e:
        fail(f"requests.json is not JSON: {e}")
    for r in requests:
        target = r.get("target", "elasticsearch")
        api = apis[target]
        if target not in waited:
            api.wait(*ready[target])
            waited.add(target)
        method, path = r["method"], r["path"]
        if "unless" in r:
            status, _ = call(api, "HEAD", r["unless"])
            if status == 200:
                print(f"{api.name}: {method} {path}: skipped, {r['unless']} exists")
                continue
            if status != 404:
                fail(f"{api.name}: HEAD {r['unless']} answered {status}")
        body = read(r["body"])
        if target == "kibana":
            data, content_type = multipart("file", r["body"], body)
            answer = api.expect(method, path, data, content_type=content_type)
            if not answer.get("success"):
                errors = [f"{e.get('type')}/{e.get('id')}: {e.get('error', {}).get('type')}" for e in answer.get("errors", [])]
                fail(f"Kibana: {path} with {r['body']}: {', '.join(errors) or 'not successful'}")
            print(f"Kibana: imported {answer.get('successCount', 0)} objects of {r['body']}")
            continue
        if "password" in r:
            document = json.loads(body)
            document["password"] = env(r["password"])
            body = json.dumps(document)
        api.expect(method, path, body)
        print(f"{api.name}: {method} {path}")
    print("provisioned")


def call(api, method, path):
    try:
        return api.call(method, path)
    except ApiUnreachable as e:
        fail(str(e))


def cluster_ready(api):
    status, answer = api.call("GET", "/_cluster/health?wait_for_status=yellow&timeout=10s")
    return status == 200 and isinstance(answer, dict) and answer.get("status") in ("yellow", "green")


def kibana_ready(api):
    status, answer = api.call("GET", "/api/status")
    level = (((answer or {}).get("status") or {}).get("overall") or {}).get("level") if isinstance(answer, dict) else None
    return status == 200 and level == "available"


if __name__ == "__main__":
    main()
