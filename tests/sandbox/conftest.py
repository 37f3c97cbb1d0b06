"""Fixtures for the sandbox tests: official-spec validators and running sandboxes.

The specs are found via ``PIPEDRIVE_SPEC_DIR``, else ``<repo>/../shared/pipedrive/spec``,
else ``/work/shared/pipedrive/spec``. Without them the conformance tests fail (they
do not skip): an unchecked sandbox is worse than none.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.testing import SandboxHandle, running_sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]
ACME, GLOBEX = 7001, 7002
ALICE, BOB, CARLA, DEV = 501, 502, 503, 504  # Alice: admin in both; Bob, Dev: not admins


def find_spec_dir() -> Path | None:
    candidates = [
        os.environ.get("PIPEDRIVE_SPEC_DIR"),
        REPO_ROOT.parent / "shared" / "pipedrive" / "spec",
        Path("/work/shared/pipedrive/spec"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "v1.yaml").is_file() and (Path(candidate) / "v2.yaml").is_file():
            return Path(candidate)
    return None


class SpecValidator:
    """Validates sandbox responses against the official Pipedrive OpenAPI files.

    Sandbox URLs are mapped onto the spec servers (``https://api.pipedrive.com/v1`` and
    ``.../api/v2``). A status the operation documents is validated by openapi-core; an
    error status it does not document is checked against the spec's own error-envelope
    schema (v2 ``GetConvertResponse``), so every response is held to the spec.
    """

    HOST = "https://api.pipedrive.com"

    def __init__(self, spec_dir: Path) -> None:
        import yaml
        from openapi_core import Config, OpenAPI

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        v1_dict = yaml.load((spec_dir / "v1.yaml").read_text(encoding="utf-8"), Loader=loader)
        v2_dict = yaml.load((spec_dir / "v2.yaml").read_text(encoding="utf-8"), Loader=loader)
        config = Config(spec_validator_cls=None)  # the official files are trusted input
        self.v1 = OpenAPI.from_dict(v1_dict, config=config)
        self.v2 = OpenAPI.from_dict(v2_dict, config=config)
        self.v1_paths = v1_dict["paths"]
        self.v2_paths = v2_dict["paths"]
        envelope = v2_dict["paths"]["/deals/{id}/convert/lead"]["post"]["responses"]["404"]
        self.envelope_schema = envelope["content"]["application/json"]["schema"]
        self.checked = 0

    def validate_oauth_token(self, path: str, status: int, body: Any) -> None:
        """``/oauth/token`` answers live on the operation's own server, oauth.pipedrive.com."""
        from openapi_core.testing import MockRequest, MockResponse

        request = MockRequest(
            "https://oauth.pipedrive.com", "post", path, content_type="application/x-www-form-urlencoded"
        )
        self.v1.validate_response(request, MockResponse(json.dumps(body).encode(), status))
        self.checked += 1

    def _spec_for(self, path: str) -> tuple[Any, str, dict[str, Any]]:
        if path.startswith("/api/v2/"):
            return self.v2, path, self.v2_paths
        if path.startswith("/api/v1/"):
            path = path[4:]
        assert path.startswith("/v1/"), f"not an API path: {path}"
        return self.v1, path, self.v1_paths

    @staticmethod
    def _operation(paths: dict[str, Any], spec_path: str, method: str) -> dict[str, Any] | None:
        import re

        for template, ops in paths.items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, spec_path) and method.lower() in ops:
                return ops[method.lower()]
        return None

    def validate(self, method: str, path: str, query: dict[str, Any] | None, status: int, body: Any) -> None:
        from openapi_core.testing import MockRequest, MockResponse
        from openapi_schema_validator import OAS30Validator

        app, spec_path, paths = self._spec_for(path)
        relative = spec_path[len("/v1") :] if app is self.v1 else spec_path[len("/api/v2") :]
        operation = self._operation(paths, relative, method)
        assert operation is not None, f"{method} {path} is not in the official spec"
        raw = json.dumps(body).encode()
        if str(status) in operation["responses"]:
            request = MockRequest(
                self.HOST, method.lower(), spec_path, args={k: str(v) for k, v in (query or {}).items()}
            )
            app.validate_response(request, MockResponse(raw, status, content_type="application/json"))
        else:
            assert status >= 400, f"{method} {path}: undocumented success status {status}"
            OAS30Validator(self.envelope_schema).validate(body)
            assert body["success"] is False and isinstance(body["error"], str) and body["error"]
            assert isinstance(body["error_info"], str)
            assert body["data"] is None and body["additional_data"] is None
        self.checked += 1


@pytest.fixture(scope="session")
def spec() -> SpecValidator:
    spec_dir = find_spec_dir()
    if spec_dir is None:
        pytest.fail(
            "Pipedrive OpenAPI specs not found: set PIPEDRIVE_SPEC_DIR or provide "
            "../shared/pipedrive/spec/{v1,v2}.yaml next to the repository",
            pytrace=False,
        )
    return SpecValidator(spec_dir)


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    """A fresh sandbox with the demo fixture."""
    with running_sandbox() as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., SandboxHandle]]:
    """Start sandboxes with custom options; all are stopped at teardown."""
    stack: list[Any] = []

    def start(**options: Any) -> SandboxHandle:
        manager = running_sandbox(**options)
        handle = manager.__enter__()
        stack.append(manager)
        return handle

    yield start
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


@pytest.fixture
def admin_token(sandbox: SandboxHandle) -> str:
    return sandbox.mint_token(ACME, ALICE)["access_token"]


@pytest.fixture(scope="module")
def sb() -> Iterator[SandboxHandle]:
    """One demo-fixture sandbox per test module, for tests that only read or add."""
    with running_sandbox() as handle:
        yield handle


@pytest.fixture(scope="module")
def tokens(sb: SandboxHandle) -> dict[str, str]:
    """Tokens on the module sandbox: OAuth (admin, member, other company, base scope only) and a personal one."""
    return {
        "admin": sb.mint_token(ACME, ALICE)["access_token"],
        "member": sb.mint_token(ACME, BOB)["access_token"],
        "globex": sb.mint_token(GLOBEX, ALICE)["access_token"],
        "base_only": sb.mint_token(ACME, ALICE, scopes=["base"])["access_token"],
        "api_token": sb.api_token(ACME, ALICE),
    }
