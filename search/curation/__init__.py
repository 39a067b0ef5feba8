"""Curator intelligence: tag suggestions, near-duplicates and drafts from free text."""
