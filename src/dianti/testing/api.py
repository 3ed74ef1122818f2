"""A script calling the API with a personal token, for tests: ``api("post", url, body)`` answers (status, JSON)."""

from __future__ import annotations

import json
from typing import Any


class ApiClient:
    """Django's test client carrying ``user``'s API token (as a script would, never the session)."""

    def __init__(self, client: Any, user: Any) -> None:
        from dianti.core.tokens import token_create

        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, user=user, name='测试脚本')}"}

    def __call__(self, method: str, url: str, body: Any = None, **query: Any) -> tuple[int, Any]:
        """Send ``body`` as JSON (GET sends ``query``); return the status and the decoded answer (None if empty)."""
        if method.lower() == "get":
            response = self.client.get(url, query, **self.auth)
        else:
            response = self.client.generic(method.upper(), url, "" if body is None else json.dumps(body),
                                           content_type="application/json", **self.auth)
        return response.status_code, response.json() if response.content else None

    def upload(self, url: str, data: dict[str, Any]) -> tuple[int, Any]:
        """Post ``data`` (files as open file objects) as multipart/form-data."""
        response = self.client.post(url, data, **self.auth)
        return response.status_code, response.json() if response.content else None
