"""How `praktijkbank serve` runs the app under uvicorn: logging and proxy headers."""

from __future__ import annotations

import copy

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from api.http.app import create_app
from catalogue.settings import Settings


def server_config(settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    """The uvicorn configuration for a catalogue.

    uvicorn believes X-Forwarded-For from 127.0.0.1 by default; without a trusted proxy in
    front, any local client could then pick its own rate-limit bucket. So proxy headers are
    honoured only with PRAKTIJKBANK_TRUST_PROXY=true (and then from FORWARDED_ALLOW_IPS).
    """
    return uvicorn.Config(create_app(settings), host=host, port=port, log_level="info",
                          log_config=log_config(), proxy_headers=settings.trust_proxy)


def log_config() -> dict[str, object]:
    """uvicorn's logging, plus our own loggers (the index rebuild's progress) on the same handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["praktijkbank"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
