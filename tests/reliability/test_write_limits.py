"""Write bodies are bounded: the bytes actually read (chunked too), `extra` (size, keys, depth),
deep JSON and broken JSON all get a clean 4xx in Dutch, never a 201 with unbounded data or a 500."""

from __future__ import annotations

import json

import pytest

from catalogue.errors import InvalidRecord, PracticeNotFound
from catalogue.model import MAX_EXTRA_BYTES, MAX_EXTRA_DEPTH, MAX_EXTRA_KEYS, parse_practice
from tests.conftest import SAMPLE

NEW = {**SAMPLE[0], "id": "nieuw-record", "title": "Een nieuw record"}


def _chunks(blob: bytes, size: int = 64_000):
    for start in range(0, len(blob), size):
        yield blob[start:start + size]


def test_a_chunked_body_over_the_limit_is_refused_on_the_bytes_read(client, settings, store):
    body = json.dumps({**NEW, "notes": "x" * (settings.max_body_bytes * 3)}).encode()
    # A generator body goes out with Transfer-Encoding: chunked and no Content-Length.
    r = client.post("/api/submissions", content=_chunks(body), headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert "te groot" in r.json()["detail"]
    with pytest.raises(PracticeNotFound):
        store.get("nieuw-record")


def test_a_chunked_body_under_the_limit_still_works(client):
    body = json.dumps(NEW).encode()
    r = client.post("/api/submissions", content=_chunks(body, 100), headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("extra, problem", [
    ({"notes": "x" * (MAX_EXTRA_BYTES + 1)}, "bytes"),
    ({f"veld{i}": i for i in range(MAX_EXTRA_KEYS + 1)}, "velden"),
    ({"diep": json.loads("[" * (MAX_EXTRA_DEPTH + 1) + "]" * (MAX_EXTRA_DEPTH + 1))}, "diep"),
])
def test_extra_is_capped_on_every_write_path(extra, problem):
    with pytest.raises(InvalidRecord) as info:
        parse_practice({**NEW, **extra})
    assert info.value.issues[0].field == "extra"
    assert problem in info.value.issues[0].message


def test_extra_within_the_caps_is_kept():
    practice = parse_practice({**NEW, "notes": "een opmerking", "bron": {"jaar": 2024}})
    assert practice.extra == {"notes": "een opmerking", "bron": {"jaar": 2024}}


@pytest.mark.parametrize("depth", [40, 300, 5000])
@pytest.mark.parametrize("path, keyed", [("/api/submissions", False), ("/api/practices", True)])
def test_deep_json_is_a_422_naming_the_field(client, api_key, depth, path, keyed):
    body = json.dumps(NEW)[:-1] + ', "genest": ' + "[" * depth + "]" * depth + "}"
    headers = {"Content-Type": "application/json", **({"X-API-Key": api_key} if keyed else {})}
    r = client.post(path, content=body, headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["parameter"] in ("genest", "extra", "body")
    assert "genest" in r.text or r.json()["errors"][0]["parameter"] == "body"


def test_deep_json_in_a_known_field_is_a_422(client):
    body = json.dumps(NEW)[:-1] + ', "title": ' + "[" * 300 + "]" * 300 + "}"
    r = client.post("/api/submissions", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("body", ["{", "{'a': 1}", "[1, 2", "nul", '{"title": "x",}'])
def test_invalid_json_is_a_dutch_422(client, body):
    r = client.post("/api/submissions", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert "geen geldige JSON" in r.text
    assert r.json()["errors"][0]["parameter"] == "body"
