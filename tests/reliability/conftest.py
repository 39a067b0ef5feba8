"""The API tests' fixtures (an app over a sample catalogue, a key, the CLI), shared by the probes."""

from tests.api.conftest import api_key, client, make_cli  # fixtures, named again as test arguments
