"""`praktijkbank serve`'s uvicorn: X-Forwarded-For picks the rate-limit bucket only behind a
trusted proxy (PRAKTIJKBANK_TRUST_PROXY); otherwise uvicorn must not rewrite the client."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from api.http.server import server_config
from catalogue.settings import Settings
from tests.conftest import SAMPLE, FakeEmbedder

START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serving(tmp_path, monkeypatch):
    monkeypatch.setattr("api.core.make_embedder", lambda spec, **kwargs: FakeEmbedder())
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**overrides) -> str:
        settings = Settings(home=tmp_path / "home", submission_rate="1/minute", **overrides)
        port = free_port()
        server = uvicorn.Server(server_config(settings, host="127.0.0.1", port=port))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:  # an explicit condition: uvicorn sets it once it listens
            assert thread.is_alive() and time.monotonic() < deadline, "de server startte niet"
            time.sleep(0.01)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(START_TIMEOUT)


def submit(base: str, n: int, forwarded_for: str) -> int:
    body = {**SAMPLE[n], "id": f"inzending-{n}"}
    return httpx.post(f"{base}/api/submissions", json=body, headers={"X-Forwarded-For": forwarded_for},
                      timeout=60).status_code


@pytest.mark.parametrize("trust, second", [(False, 429), (True, 201)])
def test_forwarded_for_picks_the_bucket_only_behind_a_trusted_proxy(serving, trust, second):
    base = serving(trust_proxy=trust)
    assert submit(base, 0, "198.51.100.1") == 201
    assert submit(base, 1, "198.51.100.2") == second
