"""The two ways in: the HTTP API (FastAPI) and the curator CLI (typer)."""
