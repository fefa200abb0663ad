#!/usr/bin/env python3
"""The configuration updater (the guide's deploy_local): merges the profile's local cases and
locales into aura-configuration-api, all or nothing.

Beside this script: cases.json (a list of cases, each with an "id") and locales.json (language ->
key -> text), compiled from the profile's local_modules. The API, at CONFIGURATION_API_URL with
the key CONFIGURATION_API_KEY (Key Vault), holds the cases at /cases ({"cases": [...]}) and each
language's strings at /locales/<language> ({"strings": {...}}, 404 when it has none yet).

1. Read every resource the merge touches. Nothing is written before all are read.
2. Merge: a local case replaces the case of its id (or is added); a locale key is added or
   replaced. A resource the merge leaves as it is, is not written (a second run writes nothing).
3. Write each changed resource and read it back. If a write fails, or reads back otherwise, put
   back what step 1 read, in reverse order, and exit 1: the settings are not modified.
Every request is bounded (REQUEST_TIMEOUT_SECONDS); errors name the request, never a body or the key.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BANNER = "FAILED: the local changes were not merged into aura-configuration-api"


def fail(message):
    print(f"{BANNER}: {message}", file=sys.stderr)
    sys.exit(1)


def setting(name):
    value = os.environ.get(name, "")
    if not value:
        fail(f"{name} is not set")
    return value


def read_file(name, default):
    path = os.path.join(HERE, name)
    if not os.path.exists(path):
        return default
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {name}: {e.__class__.__name__}")


class Api:
    def __init__(self, url, key):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            fail("CONFIGURATION_API_URL is not an http(s) URL")
        self.base = url.rstrip("/")
        self.key = key
        try:
            self.timeout = float(os.environ.get("REQUEST_TIMEOUT_SECONDS", "30"))
        except ValueError:
            fail("REQUEST_TIMEOUT_SECONDS is not a number of seconds")

    def call(self, method, path, document=None):
        """(status, parsed JSON); raises ApiError when the API cannot be reached or refuses."""
        body = None if document is None else json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("X-API-Key", self.key)
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as e:
            if e.code == 404 and method == "GET":
                return 404, None
            raise ApiError(f"{method} {path} answered {e.code}") from None
        except (OSError, ValueError) as e:
            raise ApiError(f"{method} {path}: {e.__class__.__name__}: {getattr(e, 'reason', e)}") from None
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            raise ApiError(f"{method} {path} answered no JSON") from None


class ApiError(Exception):
    pass


def merge_cases(current, local):
    by_id = {c.get("id"): i for i, c in enumerate(current) if isinstance(c, dict)}
    merged = list(current)
    for case in local:
        if case["id"] in by_id:
            merged[by_id[case["id"]]] = case
        else:
            by_id[case["id"]] = len(merged)
            merged.append(case)
    return merged


def main():
    cases = read_file("cases.json", [])
    locales = read_file("locales.json", {})
    if not isinstance(cases, list) or not all(isinstance(c, dict) and isinstance(c.get("id"), str) for c in cases):
        fail("cases.json is not a list of cases with an id")
    if not isinstance(locales, dict) or not all(isinstance(v, dict) for v in locales.values()):
        fail("locales.json is not a map of languages to strings")
    if not cases and not locales:
        print("no local cases or locales: nothing to merge")
        return
    api = Api(setting("CONFIGURATION_API_URL"), setting("CONFIGURATION_API_KEY"))

    # 1. Read everything first.
    resources = []  # (path, before, after, wrapper key)
    try:
        if cases:
            _, answer = api.call("GET", "/cases")
            current = (answer or {}).get("cases") if isinstance(answer, dict) else None
            if not isinstance(current, list):
                fail("GET /cases answered no list of cases")
            resources.append(("/cases", {"cases": current}, {"cases": merge_cases(current, cases)}))
        for language in sorted(locales):
            path = f"/locales/{urllib.parse.quote(language)}"
            status, answer = api.call("GET", path)
            current = {} if status == 404 else (answer or {}).get("strings") if isinstance(answer, dict) else None
            if not isinstance(current, dict):
                fail(f"GET {path} answered no strings")
            resources.append((path, None if status == 404 else {"strings": current}, {"strings": {**current, **locales[language]}}))
    except ApiError as e:
        fail(f"{e}; nothing was changed")

    # 2. Only what changes is written.
    changes = [r for r in resources if r[1] != r[2]]
    if not changes:
        print("aura-configuration-api already holds the local cases and locales: nothing written")
        return

    # 3. Write, read back; on any failure put back what was read.
    written = []
    try:
        for path, before, after in changes:
            written.append((path, before))
            api.call("PUT", path, after)
            _, back = api.call("GET", path)
            if back != after:
                raise ApiError(f"GET {path} does not read back what was written")
            print(f"merged {path}")
    except ApiError as e:
        left = []
        for path, before in reversed(written):
            try:
                if before is None:
                    api.call("DELETE", path)
                else:
                    api.call("PUT", path, before)
            except ApiError:
                left.append(path)
        if left:
            fail(f"{e}; putting back what was read failed for {', '.join(left)}: restore them by hand")
        fail(f"{e}; what was written was put back")
    print(f"merged {len(cases)} local case(s) and {sum(len(v) for v in locales.values())} locale string(s) ({len(locales)} language(s))")


if __name__ == "__main__":
    main()
