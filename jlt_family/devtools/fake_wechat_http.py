"""The HTTP side of the fake WeChat server: a threading server on 127.0.0.1 and its request handler, which
hands every call to ``FakeWeChat.handle``."""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if self.fake.verbose:  # a client that gave up (timeout) is no news otherwise
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are written separately: without this, each keep-alive call waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self):  # noqa: N802 (http.server API)
        self._answer("GET")

    def do_POST(self):  # noqa: N802 (http.server API)
        self._answer("POST")

    def _answer(self, method):
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, payload = self.server.fake.handle(method, parts.path, query, raw)
        if isinstance(payload, dict):
            data, content_type = json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8"
        else:
            data, content_type = payload.encode(), "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_request(self, code="-", size="-"):
        if self.server.fake.verbose:  # the path only: queries carry the secret, codes and tokens
            print(f"fake-wechat: {self.command} {urlsplit(self.path).path} {code}", flush=True)

    def log_message(self, format, *args):  # noqa: A002 (http.server API)
        if self.server.fake.verbose:
            super().log_message(format, *args)
