"""The pluggable embedder: an OpenAI-compatible /v1/embeddings server instead of the built-in."""

import http.server
import json
import threading

import numpy as np
import pytest

from laws.embedders import BuiltinEmbedder, EmbedderError, RemoteEmbedder, get_embedder


class EmbeddingsHandler(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 (the standard library's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        EmbeddingsHandler.seen.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        if body["input"] == ["fail"]:
            self.send_response(500)
            self.end_headers()
            return
        # Out of order on purpose: rows are matched by their index.
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(text)), 0.0, 1.0]}
            for i, text in reversed(list(enumerate(body["input"])))
        ]
        payload = json.dumps({"object": "list", "data": data, "model": body.get("model")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    EmbeddingsHandler.seen.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_remote_embedder_speaks_the_openai_embeddings_api(server):
    embedder = RemoteEmbedder(base_url=server, model="bge-m3", api_key="sk-test")
    vectors = embedder.embed(["ab", "abcd"])
    assert vectors.shape == (2, 3)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[1, 0] > vectors[0, 0]  # rows in input order, not the server's
    (request,) = EmbeddingsHandler.seen
    assert request["path"] == "/v1/embeddings" and request["model"] == "bge-m3"
    assert request["auth"] == "Bearer sk-test"
    assert embedder.name == "remote:bge-m3"  # its vectors are cached apart from the built-in's


def test_remote_embedder_failure_is_one_error(server):
    with pytest.raises(EmbedderError, match="embeddings server"):
        RemoteEmbedder(base_url=server, model="m").embed(["fail"])


def test_settings_choose_the_embedder(settings, server):
    settings.LAWBOT_EMBED_BASE_URL = ""
    assert isinstance(get_embedder(), BuiltinEmbedder)
    settings.LAWBOT_EMBED_BASE_URL, settings.LAWBOT_EMBED_MODEL = server, "bge-m3"
    assert isinstance(get_embedder(), RemoteEmbedder)


def test_builtin_embedder_puts_a_question_near_its_statute_across_languages():
    embedder = BuiltinEmbedder()
    severance, drunk, question = embedder.embed(
        [
            "雇主終止勞動契約應發給勞工資遣費",
            "酒後駕車吐氣所含酒精濃度超過標準",
            "How much severance pay do I get?",
        ]
    )
    assert question @ severance > question @ drunk
    assert embedder.embed(["資遣費"]).shape == (1, 512)
