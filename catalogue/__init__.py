"""The catalogue domain: the practice model, vocabularies, the store and settings."""
