"""The API tests' CLI fixture, shared by the ingest round-trip tests."""

from tests.api.conftest import make_cli  # a fixture, named again as a test argument
