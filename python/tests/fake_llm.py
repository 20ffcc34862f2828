#!/usr/bin/env python3
"""A loopback OpenAI-compatible chat server that answers with fixed texts, in order (the last
one repeats): the offline model of the task folders' configs and of the end-to-end test.

    python fake_llm.py RESPONSES.json [--port 8765]

RESPONSES.json is a list of strings. It listens on 127.0.0.1 only; `--port 0` picks a free port
and prints it as the first line of stdout.
"""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_server(responses: list[str], port: int = 0) -> ThreadingHTTPServer:
    lock = threading.Lock()
    state = {"next": 0, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": "fixed-diffs", "object": "model"}]})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": "not found"}})
                return
            with lock:
                k = min(state["next"], len(responses) - 1)
                state["next"] += 1
                state["requests"].append(request)
            text = responses[k]
            self._send(200, {
                "id": f"fixed-{k}", "object": "chat.completion", "created": 0, "model": request.get("model", "fixed-diffs"),
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.state = state
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("responses")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    with open(options.responses) as f:
        responses = json.load(f)
    if not responses or not all(isinstance(r, str) for r in responses):
        parser.error("RESPONSES.json must be a non-empty list of strings")
    server = make_server(responses, options.port)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
