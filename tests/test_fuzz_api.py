"""Bad input on every procedure answers a documented 4xx with a code, never a 500.

Schemathesis generates calls from the served OpenAPI document (valid and invalid bodies) and
sends them to a real server with a signed-in member's credentials.
"""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.support import ServerProcess

# Ends the session the fuzzer uses; covered by the end-to-end tests instead.
_SKIPPED = {"auth.signOut"}


def _member_headers(base_url: str) -> dict[str, str]:
    signed = httpx.post(
        f"{base_url}/rpc/auth.signUp",
        json={"email": "fuzz@example.com", "password": "fuzz-password", "name": "Fuzz"},
    ).json()
    token = signed["session"]["token"]
    team = httpx.post(
        f"{base_url}/rpc/teams.create",
        json={"name": "Fuzz team"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return {"Authorization": f"Bearer {token}", "X-Team-Id": team["id"]}


def test_generated_calls_get_documented_answers(server: ServerProcess) -> None:
    spec = httpx.get(f"{server.base_url}/api/documentation/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    headers = _member_headers(server.base_url)
    seen: dict[str, set[int]] = {}

    def check(case: Any) -> None:
        operation = case.operation.definition.raw["operationId"]
        if operation in _SKIPPED:
            return
        response = case.call(base_url=server.base_url, headers=headers)
        status = response.status_code
        seen.setdefault(operation, set()).add(status)
        assert status < 500, (operation, case.body, response.text)
        documented = set(case.operation.definition.raw["responses"])
        assert str(status) in documented, (operation, status, response.text)
        if status >= 400:
            body = response.json()
            assert set(body) == {"code", "message", "data"}, body
            assert body["code"].isupper()

    # Every operation, each with its own budget of valid and invalid inputs.
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.NEGATIVE, GenerationMode.POSITIVE):
            run = settings(
                max_examples=20,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )(given(case=operation.as_strategy(generation_mode=mode))(check))
            run()

    assert set(seen) == {p.removeprefix("/rpc/") for p in spec["paths"]} - _SKIPPED
    assert any(400 in statuses for statuses in seen.values())
    assert any(200 in statuses for statuses in seen.values())
