"""A bounded schemathesis run over the whole OpenAPI spec of the real app, with and without an API
key: no failure of any kind (server errors, responses outside the spec, valid requests refused,
invalid ones accepted).

Every operation gets generated valid and invalid input (strings with NUL bytes, huge numbers,
wrong types, unknown filter values, bodies that break the schema). With a key the write paths
are fuzzed past the key check; without one they must answer 401 and nothing else.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api.http.app import create_app
from catalogue.keys_sqlite import SqliteKeyStore
from catalogue.model import parse_practice
from tests.conftest import SAMPLE

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def app(store, core, settings):
    store.upsert_many([parse_practice(d) for d in SAMPLE])
    core.indexing.sync()
    settings.submission_rate = "10000/minute"  # fuzz the submission path, not the rate limiters
    settings.search_rate = "1000000/minute"
    app = create_app(settings, core)
    with TestClient(app):  # runs the lifespan (index repair, thread settings)
        yield app


def operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("with_key", [True, False], ids=["met-sleutel", "zonder-sleutel"])
def test_no_failures_of_any_kind_anywhere_in_the_spec(app, store, with_key):
    headers = {"X-API-Key": SqliteKeyStore(store).create("fuzz")} if with_key else {}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = operations(schema)
    assert len(ops) >= 10  # every endpoint of the spec, not a subset
    failures: list[str] = []
    calls = 0
    for op, mode in itertools.product(ops, GenerationMode):
        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, headers=headers)  # every check schemathesis has
            except BaseException as e:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
                                f"{response.status_code} {response.text[:200]} -- {str(e).splitlines()[0]}")

        try:
            run()
        except Unsatisfiable:
            # An operation without parameters or body has no invalid input to generate.
            assert mode is GenerationMode.NEGATIVE
    assert calls > len(ops) * 2 * 5  # the run really ran, valid and invalid input alike
    assert failures == []
