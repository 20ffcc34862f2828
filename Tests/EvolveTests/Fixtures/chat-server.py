#!/usr/bin/env python3
"""A loopback chat-completions server for the openai generator's tests.

usage: chat-server.py FIXTURE_DIR LOG_FILE

Answers the N-th POST to /v1/chat/completions with the N-th fixture of FIXTURE_DIR (files in name
order; HTTP 500 once they run out). A fixture is the JSON `{"status": 200, "body": {...}}`, with
`raw_body` (a string) instead of `body` for a malformed answer and `delay_seconds` to answer late
-- the format `sim-cascade evolve --record DIR` writes. Each request is appended to LOG_FILE as
one JSON line (path, Authorization header, body). Binds 127.0.0.1 on a free port and prints it.
"""
import http.server
import json
import os
import sys
import threading
import time

fixtures = sorted(os.path.join(sys.argv[1], f) for f in os.listdir(sys.argv[1]) if f.endswith(".json"))
log_path = sys.argv[2]
lock = threading.Lock()
served = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global served
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        with lock:
            index = served
            served += 1
            with open(log_path, "a") as log:
                log.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                      "body": json.loads(body) if body else None}) + "\n")
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self.answer(404, b'{"error": "not found"}')
        if index >= len(fixtures):
            return self.answer(500, b'{"error": "no fixture left"}')
        with open(fixtures[index]) as f:
            fixture = json.load(f)
        time.sleep(fixture.get("delay_seconds", 0))
        if "raw_body" in fixture:
            payload = fixture["raw_body"].encode()
        else:
            payload = json.dumps(fixture.get("body", {})).encode()
        self.answer(fixture.get("status", 200), payload)

    def answer(self, status, payload):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
