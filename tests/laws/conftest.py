import threading

import numpy as np
import pytest

from laws import fusion, meaning

# A made-up word no article, card or word table contains, and its meaning in the statutes' words.
CONCEPTS = {
    "dismissal": ("阿魯巴", "終止勞動契約"),
    "drink": ("喝茫", "酒精"),
    "leave": ("放爽假", "特別休假"),
}


class FakeEmbedder:
    """Vectors from a few concepts (each a slang word and the statute's words for it) plus
    hashed character bigrams: enough meaning to test the stages without the real encoder."""

    name = "fake-1"
    dim = 64

    def __init__(self):
        self.embedded = 0
        self.gate: threading.Event | None = None  # when set, embedding waits for it
        self.started = threading.Event()

    def embed(self, texts: list[str]) -> np.ndarray:
        self.started.set()
        if self.gate is not None:
            assert self.gate.wait(10), "the test never let the embedding finish"
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for number, words in enumerate(CONCEPTS.values()):
                if any(word in text for word in words):
                    out[row, number] += 4.0
            for a, b in zip(text, text[1:], strict=False):
                out[row, len(CONCEPTS) + hash(a + b) % (self.dim - len(CONCEPTS))] += 0.1
            out[row, -1] += 0.01
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def _isolated_cache(settings, tmp_path):
    settings.LAWBOT_EMBED_CACHE = tmp_path / "embed-cache"
    fusion._vector.cache_clear()


@pytest.fixture
def fake_embedder(monkeypatch) -> FakeEmbedder:
    fake = FakeEmbedder()
    monkeypatch.setattr(meaning, "get_embedder", lambda: fake)
    monkeypatch.setattr(fusion, "get_embedder", lambda: fake)
    return fake
