"""A chunked body (``Transfer-Encoding: chunked``, no ``Content-Length``) is held to ``MAX_CONTENT_LENGTH`` as a
body with a length is: 413 ``payload_too_large`` over it, parsed as usual within it. Sent over real HTTP to the
development server (Werkzeug's test client always sends a length)."""

import http.client
import json
import threading

import pytest
from werkzeug.serving import make_server

LIMIT = 1024
PATH = "/api/v1/auth/wechat-login"


@pytest.fixture
def server(app, configure):
    configure(MAX_CONTENT_LENGTH=LIMIT)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join(timeout=10)


def _post(server, body, *, chunked):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"}
        if chunked:
            parts = (body[i : i + 300] for i in range(0, len(body), 300))
            conn.request("POST", PATH, body=parts, headers=headers, encode_chunked=True)
        else:
            conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_a_chunked_body_over_the_limit_answers_413_like_one_with_a_length(server):
    body = json.dumps({"code": "x" * (2 * LIMIT)}).encode()
    with_length = _post(server, body, chunked=False)
    chunked = _post(server, body, chunked=True)
    assert with_length[0] == chunked[0] == 413
    assert chunked[1] == with_length[1] == {"code": "payload_too_large", "message": "提交的内容过大", "errors": {}}


def test_a_chunked_body_within_the_limit_is_parsed_as_usual(server):
    body = json.dumps({"code": "abc"}).encode()
    chunked = _post(server, body, chunked=True)
    assert chunked == _post(server, body, chunked=False)
    assert chunked[1]["code"] != "malformed_json"
