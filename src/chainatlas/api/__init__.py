"""The REST API (``/api/v1``) and the app factory :func:`create_app`."""

from chainatlas.api.app import create_app

__all__ = ["create_app"]
