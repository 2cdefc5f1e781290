"""The one helper for tests that need Docker: a reachable daemon and a base image, or a skip saying why."""

from __future__ import annotations

import os
from typing import Any

import pytest

from podium.runtime.sandbox import SandboxError
from podium.runtime.sandbox.docker import BASE_IMAGE_ENV, docker_client_or_error
from podium.runtime.sandbox.dockerd import has_image

DEFAULT_BASE = "python:3.11-slim"  # the scaffold Dockerfile's default


def skip_if_no_docker() -> Any:
    """A client of the daemon at $DOCKER_HOST (else the default socket) that has a base image to
    build scaffold images from; skips otherwise. `python -m podium.runtime.sandbox.dockerd --work DIR`
    starts a private daemon with one and prints the two variables to set."""
    try:
        client = docker_client_or_error(os.environ.get("DOCKER_HOST"))
    except SandboxError as error:
        pytest.skip(str(error))
    base = os.environ.get(BASE_IMAGE_ENV) or DEFAULT_BASE
    if not has_image(client, base):
        pytest.skip(
            f"the docker daemon has no base image {base!r}; set {BASE_IMAGE_ENV} to one it has "
            "(`python -m podium.runtime.sandbox.dockerd --work DIR` builds podium-python:bookworm)"
        )
    return client
