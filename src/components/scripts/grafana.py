#!/usr/bin/env python3
"""Grafana through its HTTP API, as its admin (GRAFANA_URL, GRAFANA_ADMIN_USER, GRAFANA_ADMIN_PASSWORD).

  grafana.py users   the viewers of GRAFANA_VIEWERS (comma-separated; the password of the i-th,
                     from 1, in GRAFANA_VIEWER_<i>_PASSWORD) exist with the Viewer role and that
                     password; a user who already logs in with it is not written again.
  grafana.py export  Grafana's database as one gzip-compressed JSON document in
                     $BACKUP_DIR/$BACKUP_FILE: folders, dashboards, data sources, alert rules,
                     contact points, the notification policy tree, the organisation's preferences.
                     What provisioning owns (the Aura dashboards, the Thanos data source) is left
                     out: every deployment writes it again.
  grafana.py import  that document back, each object created or overwritten by its uid.

Every request is bounded; any error exits 1, so the Job fails and the backup alerts see it.
Users removed from the list are not deleted: Grafana cannot tell them from users made by hand.
"""
import gzip
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aura_http import Api, ApiUnreachable, env, fail  # noqa: E402

ORG = 1
q = urllib.parse.quote


def admin():
    api = Api("Grafana", env("GRAFANA_URL"), env("GRAFANA_ADMIN_USER"), env("GRAFANA_ADMIN_PASSWORD"))
    api.wait("Grafana to be healthy", lambda: healthy(api))
    return api


def healthy(api):
    status, answer = api.call("GET", "/api/health")
    return status == 200 and isinstance(answer, dict) and answer.get("database") == "ok"


def users():
    api = admin()
    names = [n.strip() for n in os.environ.get("GRAFANA_VIEWERS", "").split(",") if n.strip()]
    for i, name in enumerate(names, start=1):
        password = env(f"GRAFANA_VIEWER_{i}_PASSWORD")
        status, found = call(api, "GET", f"/api/users/lookup?loginOrEmail={q(name)}")
        if status == 404:
            created = api.expect("POST", "/api/admin/users", json.dumps({"name": name, "login": name, "password": password, "OrgId": ORG}))
            uid = created["id"]
            print(f"created user {name}")
        elif status == 200:
            uid = found["id"]
            as_user = Api("Grafana", env("GRAFANA_URL"), name, password)
            if call(as_user, "GET", "/api/user", refused_ok=True)[0] != 200:
                api.expect("PUT", f"/api/admin/users/{uid}/password", json.dumps({"password": password}))
                print(f"set the password of {name}")
        else:
            fail(f"Grafana: looking up {name} answered {status}")
        roles = {u["userId"]: u["role"] for u in api.expect("GET", "/api/org/users")}
        if roles.get(uid) != "Viewer":
            api.expect("PATCH", f"/api/org/users/{uid}", json.dumps({"role": "Viewer"}))
            print(f"{name} is a Viewer")
    print(f"{len(names)} viewers provisioned")


def export():
    api = admin()
    folders = [api.expect("GET", f"/api/folders/{q(f['uid'])}") for f in api.expect("GET", "/api/search?type=dash-folder&limit=5000")]
    dashboards = []
    for d in api.expect("GET", "/api/search?type=dash-db&limit=5000"):
        full = api.expect("GET", f"/api/dashboards/uid/{q(d['uid'])}")
        if full.get("meta", {}).get("provisioned"):
            continue
        dashboards.append({"dashboard": full["dashboard"], "folderUid": full.get("meta", {}).get("folderUid", "")})
    document = {
        "folders": [{"uid": f["uid"], "title": f["title"], "parentUid": f.get("parentUid")} for f in folders],
        "dashboards": dashboards,
        "datasources": [d for d in api.expect("GET", "/api/datasources") if not d.get("readOnly")],
        "alertRules": [r for r in api.expect("GET", "/api/v1/provisioning/alert-rules") if r.get("provenance") in (None, "", "api")],
        "contactPoints": [c for c in api.expect("GET", "/api/v1/provisioning/contact-points") if c.get("uid")],
        "policies": api.expect("GET", "/api/v1/provisioning/policies"),
        "preferences": api.expect("GET", "/api/org/preferences"),
    }
    path = os.path.join(env("BACKUP_DIR"), env("BACKUP_FILE"))
    with gzip.open(path + ".partial", "wt", encoding="utf-8") as f:
        json.dump(document, f, sort_keys=True)
    os.replace(path + ".partial", path)
    print(f"exported {len(document['folders'])} folders, {len(dashboards)} dashboards, {len(document['datasources'])} data sources, "
          f"{len(document['alertRules'])} alert rules, {len(document['contactPoints'])} contact points to {path}")


def upsert(api, get_path, create, update, body):
    """Creates the object when GET on its uid answers 404, otherwise overwrites it."""
    status, _ = call(api, "GET", get_path)
    payload = json.dumps(body)
    if status == 404:
        api.expect(*create, payload, ok=(200, 201, 202))
    elif status == 200:
        api.expect(*update, payload, ok=(200, 201, 202))
    else:
        fail(f"Grafana: GET {get_path} answered {status}")


def restore():
    api = admin()
    path = os.path.join(env("BACKUP_DIR"), env("BACKUP_FILE"))
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            document = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path} is not a Grafana export: {e}")
    # Parents before children: a folder's parent must exist when it is created.
    pending, placed = list(document.get("folders", [])), set()
    while pending:
        ready = [f for f in pending if not f.get("parentUid") or f["parentUid"] in placed]
        if not ready:
            fail("Grafana export: folders " + ", ".join(f["uid"] for f in pending) + " name a parent that is not in the export")
        for f in ready:
            uid = q(f["uid"])
            upsert(api, f"/api/folders/{uid}", ("POST", "/api/folders"), ("PUT", f"/api/folders/{uid}"),
                   {"uid": f["uid"], "title": f["title"], "parentUid": f.get("parentUid"), "overwrite": True})
            placed.add(f["uid"])
            pending.remove(f)
    for d in document.get("dashboards", []):
        dashboard = dict(d["dashboard"], id=None)
        api.expect("POST", "/api/dashboards/db", json.dumps({"dashboard": dashboard, "folderUid": d.get("folderUid") or "", "overwrite": True}))
    for ds in document.get("datasources", []):
        uid = q(ds["uid"])
        upsert(api, f"/api/datasources/uid/{uid}", ("POST", "/api/datasources"), ("PUT", f"/api/datasources/uid/{uid}"), {k: v for k, v in ds.items() if k != "id"})
    # Rules and contact points stay editable in the UI (no provenance).
    editable = {"X-Disable-Provenance": "true"}
    for r in document.get("alertRules", []):
        uid = q(r["uid"])
        status, _ = call(api, "GET", f"/api/v1/provisioning/alert-rules/{uid}")
        body = json.dumps({k: v for k, v in r.items() if k not in ("id", "provenance", "updated")})
        if status == 404:
            api.expect("POST", "/api/v1/provisioning/alert-rules", body, extra=editable)
        else:
            api.expect("PUT", f"/api/v1/provisioning/alert-rules/{uid}", body, extra=editable)
    existing = {c["uid"] for c in api.expect("GET", "/api/v1/provisioning/contact-points")}
    for c in document.get("contactPoints", []):
        body = json.dumps({k: v for k, v in c.items() if k != "provenance"})
        if c["uid"] in existing:
            api.expect("PUT", f"/api/v1/provisioning/contact-points/{q(c['uid'])}", body, ok=(200, 202), extra=editable)
        else:
            api.expect("POST", "/api/v1/provisioning/contact-points", body, ok=(200, 201, 202), extra=editable)
    if document.get("policies"):
        api.expect("PUT", "/api/v1/provisioning/policies", json.dumps(document["policies"]), ok=(200, 202), extra=editable)
    if document.get("preferences"):
        api.expect("PUT", "/api/org/preferences", json.dumps(document["preferences"]))
    print(f"imported {path}")


def call(api, method, path, refused_ok=False):
    try:
        return api.call(method, path, refused_ok=refused_ok)
    except ApiUnreachable as e:
        fail(str(e))


if __name__ == "__main__":
    modes = {"users": users, "export": export, "import": restore}
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        print("usage: grafana.py users|export|import", file=sys.stderr)
        sys.exit(2)
    modes[sys.argv[1]]()
