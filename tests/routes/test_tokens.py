"""The one token rule (app/tokens.py): digests stored, Bearer scheme case-insensitive, bare tokens refused."""

from __future__ import annotations

import hashlib

import pytest

from app.errors import ApiError
from app.tokens import check_bearer, new_token

MESSAGE = "this thing is protected: send Authorization: Bearer <token>"


def test_new_token_is_random_and_stored_as_its_sha256() -> None:
    token, digest = new_token()
    other, _ = new_token()
    assert token != other
    assert len(token) >= 32
    assert digest == hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_is_case_insensitive(scheme: str) -> None:
    token, digest = new_token()
    check_bearer(digest, f"{scheme} {token}", MESSAGE)
    check_bearer(digest, f"  {scheme}   {token}  ", MESSAGE)


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic {token}", "{token}", "Bearer {token}x",
                                    "Bearer wrong", "Token {token}"])
def test_anything_but_the_bearer_token_is_refused_with_403(header: str | None) -> None:
    token, digest = new_token()
    with pytest.raises(ApiError) as err:
        check_bearer(digest, None if header is None else header.format(token=token), MESSAGE)
    assert err.value.status == 403
    assert err.value.msg == MESSAGE
    assert err.value.loc == ("header", "authorization")


def test_no_digest_means_unprotected() -> None:
    check_bearer(None, None, MESSAGE)
    check_bearer(None, "Bearer anything", MESSAGE)


def test_a_protected_network_takes_a_lower_case_scheme(client) -> None:
    created = client.post("/api/networks", json={"preset": "xor", "protected": True}).json()
    url = f"/api/networks/{created['id']}"
    assert client.patch(url, json={"learning_rate": 0.3}).status_code == 403
    assert client.patch(url, json={"learning_rate": 0.3},
                        headers={"Authorization": created["token"]}).status_code == 403
    r = client.patch(url, json={"learning_rate": 0.3}, headers={"Authorization": f"bearer {created['token']}"})
    assert r.status_code == 200, r.text
    assert r.json()["learning_rate"] == 0.3
