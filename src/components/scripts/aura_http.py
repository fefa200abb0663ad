"""HTTP for the provisioning and backup scripts: bounded calls, basic authentication, TLS
verified against a mounted CA, and errors that name the request (never its body).

Python's standard library only: the scripts run in the plain Python image.
"""
import base64
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None or value == "":
        fail(f"{name} is not set")
    return value


def seconds(name, default):
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        fail(f"{name} is not a number of seconds")


class Api:
    """One HTTP API (Elasticsearch, Kibana, Grafana) at a base URL."""

    def __init__(self, name, url, user, password, ca_file=None, headers=None):
        self.name = name
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            fail(f"{name}: {url} is not an http(s) URL")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.base = parts.path.rstrip("/")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", **(headers or {})}
        self.timeout = seconds("REQUEST_TIMEOUT_SECONDS", "30")
        self.context = None
        if self.scheme == "https":
            if not ca_file:
                fail(f"{name}: {url} is HTTPS but no CA file is given")
            self.context = ssl.create_default_context(cafile=ca_file)
            # The name is checked below: ECK's certificates name a Service as <name>.<namespace>.svc,
            # which the cluster's resolver also answers as <name>.<namespace>.svc.cluster.local.
            self.context.check_hostname = False

    def _connection(self):
        if self.scheme == "http":
            return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.context)
        conn.connect()
        names = [v for k, v in conn.sock.getpeercert().get("subjectAltName", ()) if k in ("DNS", "IP Address")]
        wanted = {self.host, self.host.removesuffix(".cluster.local")}
        if not wanted.intersection(names):
            conn.close()
            fail(f"{self.name}: the certificate of {self.host} names {', '.join(names) or 'nothing'}, not this host")
        return conn

    def call(self, method, path, body=None, content_type="application/json", extra=None, refused_ok=False):
        """Returns (status, parsed JSON or text). Refused credentials (401, 403) end the run unless refused_ok."""
        conn = None
        try:
            conn = self._connection()
            headers = dict(self.headers, **(extra or {}))
            if body is not None:
                headers["Content-Type"] = content_type
                if isinstance(body, str):
                    body = body.encode()
            conn.request(method, self.base + path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except ssl.SSLCertVerificationError as e:
            # Not a server still starting: waiting would not help.
            fail(f"{self.name}: {self.host}: the certificate is not trusted by the CA file: {e.verify_message}")
        except (OSError, http.client.HTTPException) as e:
            raise ApiUnreachable(f"{self.name}: {method} {path}: {e}") from e
        finally:
            if conn is not None:
                conn.close()
        if response.status in (401, 403) and not refused_ok:
            fail(f"{self.name}: {method} {path} answered {response.status}: the credentials are refused")
        text = raw.decode("utf-8", "replace")
        try:
            return response.status, json.loads(text) if text else None
        except ValueError:
            return response.status, text

    def expect(self, method, path, body=None, ok=(200, 201), **kw):
        try:
            status, answer = self.call(method, path, body, **kw)
        except ApiUnreachable as e:
            fail(str(e))
        if status not in ok:
            fail(f"{self.name}: {method} {path} answered {status}: {reason(answer)}")
        return answer

    def wait(self, what, ready):
        """Polls ready() until it is true, every READY_POLL_SECONDS, for at most READY_TIMEOUT_SECONDS."""
        deadline = time.monotonic() + seconds("READY_TIMEOUT_SECONDS", "1200")
        poll = seconds("READY_POLL_SECONDS", "5")
        last = "no answer yet"
        while True:
            try:
                if ready():
                    return
                last = "not ready"
            except ApiUnreachable as e:
                last = str(e)
            if time.monotonic() > deadline:
                fail(f"{self.name}: gave up waiting for {what}: {last}")
            time.sleep(poll)


class ApiUnreachable(Exception):
    pass


def reason(answer):
    """The error an API gave, short: Elasticsearch's error.type and reason, Grafana's and Kibana's message."""
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict):
            return f"{error.get('type', '')}: {error.get('reason', '')}".strip(": ")
        for key in ("message", "error"):
            if isinstance(answer.get(key), str):
                return answer[key]
    return str(answer)[:300]


def multipart(field, filename, data):
    """A multipart/form-data body with one file: (body, content type)."""
    boundary = "aura-" + base64.b16encode(os.urandom(12)).decode().lower()
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
