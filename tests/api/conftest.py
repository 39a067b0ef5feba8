from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from catalogue.keys import KeyStore
from catalogue.model import parse_practice


@pytest.fixture
def client(store, engine, sample, settings):
    store.upsert_many([parse_practice(d) for d in sample])
    engine.sync()
    settings.submission_rate = "3/minute"
    with TestClient(create_app(settings, engine)) as c:
        yield c


@pytest.fixture
def api_key(store):
    return KeyStore(store).create("test")
