"""The Sips seal, as a Python integrator writes it (zeep has none): every non-empty text of the
message, fields sorted by name, nested objects in their place, lists in order; HMAC-SHA-256 in hex."""

import hashlib
import hmac

UNSEALED = {"keyVersion", "sealAlgorithm", "seal"}


def seal_data(value):
    """The string the seal is computed over."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "".join(seal_data(value[k]) for k in sorted(value) if k not in UNSEALED)
    if isinstance(value, list):
        return "".join(seal_data(v) for v in value)
    return str(value)


def seal(key, value):
    """The seal of a message (a dict) under `key` (bytes)."""
    return hmac.new(key, seal_data(value).encode(), hashlib.sha256).hexdigest()
