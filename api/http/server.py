"""How `praktijkbank serve` runs the app under uvicorn: workers, logging and proxy headers."""

from __future__ import annotations

import copy
import os
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from api.http.app import create_app
from catalogue.settings import Settings

# Worker processes build the app from the environment (PRAKTIJKBANK_*), as uvicorn imports it anew.
APP_FACTORY = "api.http.app:app_from_env"


def server_config(settings: Settings, *, host: str, port: int, workers: int = 1) -> uvicorn.Config:
    """The uvicorn configuration for a catalogue.

    uvicorn believes X-Forwarded-For from 127.0.0.1 by default; without a trusted proxy in
    front, any local client could then pick its own rate-limit bucket. So proxy headers are
    honoured only with PRAKTIJKBANK_TRUST_PROXY=true (and then from FORWARDED_ALLOW_IPS).

    With more than one worker, uvicorn starts that many processes on one socket, each building
    its own app (and loading its own model) from the environment; the catalogue's folder is
    passed on in PRAKTIJKBANK_HOME.
    """
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info", "log_config": log_config(),
               "proxy_headers": settings.trust_proxy}
    if workers <= 1:
        return uvicorn.Config(create_app(settings), **options)
    os.environ["PRAKTIJKBANK_HOME"] = str(settings.home)
    return uvicorn.Config(APP_FACTORY, factory=True, workers=workers, **options)


def serve(settings: Settings, *, host: str, port: int, workers: int = 1) -> None:
    """Run the server until it is stopped: in this process, or as `workers` worker processes."""
    config = server_config(settings, host=host, port=port, workers=workers)
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    from uvicorn.supervisors import Multiprocess

    Multiprocess(config, sockets=[config.bind_socket()]).run()


def log_config() -> dict[str, object]:
    """uvicorn's logging, plus our own loggers (the index rebuild's progress) on the same handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["praktijkbank"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
