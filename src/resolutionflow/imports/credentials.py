"""PSA credentials at rest: Fernet-encrypted with a key derived from the installation secret."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from resolutionflow.config import get_settings
from resolutionflow.errors import BadRequest


def _fernet() -> Fernet:
    secret = get_settings().secret_key
    if not secret:
        raise BadRequest(
            "PSA credentials are stored encrypted with RESOLUTIONFLOW_SECRET_KEY: set it first"
        )
    digest = hashlib.sha256(b"resolutionflow/psa-credentials\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(values: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    try:
        return dict(json.loads(_fernet().decrypt(token.encode())))
    except InvalidToken:
        raise BadRequest(
            "the stored PSA credentials cannot be read with this RESOLUTIONFLOW_SECRET_KEY: "
            "enter them again"
        ) from None
