"""Small helpers for the HTTP server tests: start `hearth serve`, raw requests, SSE/NDJSON reading."""
import http.client
import json
import os
import signal
import subprocess
import time


class Server:
    """`hearth serve` on a free port; stopped with SIGTERM (and checked to exit cleanly)."""

    def __init__(self, hearth, model, *extra):
        self.proc = subprocess.Popen([hearth, "serve", "-m", model, "--port", "0", "-t", "2", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on port "):
            self.proc.kill()
            raise RuntimeError("server did not start: " + line + self.proc.stderr.read())
        self.port = int(line.split()[-1])

    def stop(self, timeout=20):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        return code

    def request(self, method, path, body=None, headers=None, raw=None):
        """(status, headers dict, parsed JSON or text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        conn.request(method, path, data, {"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        conn.close()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return resp.status, dict(resp.getheaders()), parsed

    def stream(self, path, body, headers=None, stop_after=None):
        """Yields each SSE data payload or NDJSON object; stops (closing the socket) after stop_after."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        assert resp.status == 200, (resp.status, resp.read())
        events = []
        for line in resp:
            line = line.strip()
            if not line:
                continue
            if line.startswith(b"data: "):
                payload = line[6:].decode()
                events.append(payload if payload == "[DONE]" else json.loads(payload))
            else:
                events.append(json.loads(line))
            if stop_after is not None and len(events) >= stop_after:
                break
        conn.sock.shutdown(2) if conn.sock else None
        conn.close()
        return events


def wait_until(predicate, timeout=20.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)
