"""Keys are never logged, and a key's secret never comes back out of the store."""

from __future__ import annotations

import logging

from catalogue.keys_sqlite import SqliteKeyStore
from tests.conftest import SAMPLE


def test_api_keys_never_reach_the_logs(client, api_key, caplog):
    caplog.set_level(logging.DEBUG)
    new = {**SAMPLE[0], "id": "nieuw-voor-logtest", "title": "Nieuw voor de logtest"}
    assert client.post("/api/practices", json=new, headers={"X-API-Key": api_key}).status_code == 201
    wrong = api_key[:-4] + "0000"
    assert client.delete("/api/practices/nieuw-voor-logtest", headers={"X-API-Key": wrong}).status_code == 403
    secret = api_key.split("_", 2)[2]
    assert secret not in caplog.text and wrong.split("_", 2)[2] not in caplog.text


def test_the_store_keeps_only_a_hash(store):
    key = SqliteKeyStore(store).create("curator")
    dump = "\n".join(str(row) for row in store.db.execute("SELECT * FROM api_keys"))
    assert key.split("_", 2)[2] not in dump
