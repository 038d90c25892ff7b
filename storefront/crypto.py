"""Encryption at rest for secrets we must keep for a while (tokens, a new tenant's password).

Fernet (AES-128-CBC + HMAC) from ``cryptography``. The key is FIELD_ENCRYPTION_KEY (a Fernet key,
or any passphrase, which is stretched); development derives it from SECRET_KEY.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class DecryptionError(Exception):
    """The stored value was not encrypted with the configured key."""


def _fernet() -> Fernet:
    secret = settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
    return Fernet(key)


def encrypt_text(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with the configured key") from exc
