"""Embeddings, the vector index, lexical search, fusion and the search service."""
