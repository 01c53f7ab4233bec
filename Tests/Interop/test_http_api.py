"""The HTTP API over real HTTP: bearer tokens, twins and relationships in ADT shapes, problem JSON."""

import json

import requests
from openapi_spec_validator import validate


def admin_token(server):
    """Starts are made with a known admin token so tests can call the API."""
    return server.token


def start(doppel, tmp_path):
    server = doppel(args=["--admin-token", "interop-admin-token-0123456789"])
    server.token = "interop-admin-token-0123456789"
    return server


def call(server, method, path, token=None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.request(method, server.http + path, headers=headers, timeout=10, **kwargs)


def test_openapi_document_is_a_valid_openapi_31_spec(doppel, tmp_path):
    server = start(doppel, tmp_path)
    response = call(server, "GET", "/openapi.json")
    assert response.status_code == 200
    validate(response.json())


def test_twin_lifecycle_in_adt_shapes(doppel, tmp_path):
    server = start(doppel, tmp_path)
    token = server.token
    body = {"$metadata": {"$model": "dtmi:doppel:Room;1"}, "name": "Room 101", "area": 24.5}
    created = call(server, "PUT", "/v1/twins/room-101", token, json=body)
    assert created.status_code == 201, created.text
    twin = created.json()
    assert twin["$dtId"] == "room-101"
    assert twin["$metadata"]["$model"] == "dtmi:doppel:Room;1"
    assert twin["name"] == "Room 101" and twin["area"] == 24.5
    assert created.headers["ETag"] == twin["$etag"]

    conflict = call(server, "PUT", "/v1/twins/room-101", token, json=body, headers={"If-None-Match": "*"})
    assert conflict.status_code == 412
    assert conflict.headers["Content-Type"] == "application/problem+json"

    patched = call(
        server, "PATCH", "/v1/twins/room-101", token,
        data=json.dumps([{"op": "replace", "path": "/area", "value": 25}]),
        headers={"Content-Type": "application/json-patch+json", "If-Match": twin["$etag"]},
    )
    assert patched.status_code == 204, patched.text
    assert patched.headers["ETag"] != twin["$etag"]

    stale = call(
        server, "PATCH", "/v1/twins/room-101", token,
        data=json.dumps([{"op": "replace", "path": "/area", "value": 26}]),
        headers={"Content-Type": "application/json-patch+json", "If-Match": twin["$etag"]},
    )
    assert stale.status_code == 412

    assert call(server, "GET", "/v1/twins/room-101", token).json()["area"] == 25

    assert call(server, "PUT", "/v1/twins/floor-1", token, json={"name": "Floor 1"}).status_code == 201
    rel = call(
        server, "PUT", "/v1/twins/floor-1/relationships/has-101", token,
        json={"$targetId": "room-101", "$relationshipName": "hasPart", "since": 2020},
    )
    assert rel.status_code == 201, rel.text
    assert rel.json()["$sourceId"] == "floor-1" and rel.json()["$relationshipName"] == "hasPart"
    incoming = call(server, "GET", "/v1/twins/room-101/incomingrelationships", token).json()["value"]
    assert [r["$relationshipId"] for r in incoming] == ["has-101"]

    refused = call(server, "DELETE", "/v1/twins/room-101", token)
    assert refused.status_code == 409
    assert "1 incoming" in refused.json()["detail"]
    assert call(server, "DELETE", "/v1/twins/room-101?cascade=true", token).status_code == 204
    assert call(server, "GET", "/v1/twins/floor-1/relationships", token).json() == {"value": []}


def test_bad_input_gets_precise_problems_and_loses_nothing(doppel, tmp_path):
    server = start(doppel, tmp_path)
    token = server.token
    assert call(server, "GET", "/v1/twins/x").status_code == 401
    assert call(server, "GET", "/v1/twins/x", "not-a-token").status_code == 401

    broken = call(server, "PUT", "/v1/twins/t", token, data='{"name": "x",', headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert "line 1" in broken.json()["detail"]

    bad_key = call(server, "PATCH", "/v1/twins/t/state/desired", token, json={"a": 1})
    assert bad_key.status_code == 404
    assert call(server, "PUT", "/v1/twins/t", token, json={}).status_code == 201
    bad_key = call(server, "PATCH", "/v1/twins/t/state/desired", token, json={"fan.speed": 1})
    assert bad_key.status_code == 400
    assert "desired.fan.speed" in bad_key.json()["detail"]

    huge = call(server, "PUT", "/v1/twins/big", token, data=b"[" + b"1," * (3 * 1024 * 1024) + b"1]",
                headers={"Content-Type": "application/json"})
    assert huge.status_code == 413

    state = call(server, "GET", "/v1/twins/t/state", token).json()
    assert state["desired"] == {} and state["versions"]["desired"] == 0
    assert call(server, "GET", "/healthz").status_code == 200


def test_tenants_stay_isolated_and_preconditions_hold(doppel, tmp_path):
    server = start(doppel, tmp_path)
    admin = server.token
    minted = call(server, "POST", "/v1/tokens", admin, json={"role": "admin", "name": "acme-admin", "tenant": "acme"})
    assert minted.status_code == 201, minted.text
    acme_admin = minted.json()["token"]

    # An admin of another tenant cannot reach into the default tenant, nor mint tokens for it.
    crossing = call(server, "GET", "/v1/twins/x", acme_admin, headers={"X-Doppel-Tenant": "default"})
    assert crossing.status_code == 403
    assert call(server, "POST", "/v1/tokens", acme_admin, json={"role": "viewer", "name": "v", "tenant": "default"}).status_code == 403
    # The installation's admin can.
    assert call(server, "PUT", "/v1/twins/a1", admin, json={}, headers={"X-Doppel-Tenant": "acme"}).status_code == 201
    assert call(server, "GET", "/v1/twins/a1", acme_admin).status_code == 200
    assert call(server, "GET", "/v1/twins/a1", admin).status_code == 404

    # If-Match: * on a missing twin is a 412, not a create.
    assert call(server, "PUT", "/v1/twins/ghost", admin, json={}, headers={"If-Match": "*"}).status_code == 412


def test_json_patch_cannot_blow_up_a_document(doppel, tmp_path):
    server = start(doppel, tmp_path)
    assert call(server, "PUT", "/v1/twins/t", server.token, json={"a": "x" * 100}).status_code == 201
    doubling = [{"op": "copy", "from": "", "path": f"/c{i}"} for i in range(60)]
    response = call(server, "PATCH", "/v1/twins/t", server.token, data=json.dumps(doubling),
                    headers={"Content-Type": "application/json-patch+json"})
    assert response.status_code in (400, 413), response.text
    assert call(server, "GET", "/healthz").status_code == 200
    assert list(call(server, "GET", "/v1/twins/t", server.token).json()) == ["$dtId", "$etag", "$metadata", "a"]


def test_device_registry_over_http(doppel, tmp_path):
    import base64
    import re

    server = start(doppel, tmp_path)
    token = server.token
    primary = base64.b64encode(bytes(range(32))).decode()
    secret = "interop-device-secret"
    body = {"model": "dtmi:doppel:Pump;1", "secret": secret, "sasKeys": {"primary": primary},
            "x509Thumbprints": ["AB" * 32]}
    created = call(server, "PUT", "/v1/devices/pump-7", token, json=body)
    assert created.status_code == 201, created.text
    device = created.json()
    assert device["deviceId"] == "pump-7" and device["status"] == "enabled"
    assert device["credentials"] == {"secret": True, "sasKeys": {"primary": True, "secondary": False},
                                     "x509Thumbprints": ["ab" * 32]}
    assert secret not in created.text and primary not in created.text

    bad = call(server, "PUT", "/v1/devices/pump-7", token, json={"sasKeys": {"primary": "not base64!"}})
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"
    assert bad.json()["detail"] == "sasKeys.primary is not base64"

    disabled = call(server, "PUT", "/v1/devices/pump-7", token, json={"status": "disabled"})
    assert disabled.status_code == 200 and disabled.json()["credentials"]["secret"] is True

    connection = call(server, "GET", "/v1/devices/pump-7/connection", token)
    assert connection.status_code == 200
    assert connection.json() == {"deviceId": "pump-7", "connectionState": "disconnected", "lastActivityTime": None}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", device["createdAt"])

    twin = call(server, "GET", "/v1/twins/pump-7", token)
    assert twin.status_code == 200 and twin.json()["$metadata"]["$model"] == "dtmi:doppel:Pump;1"
    listed = call(server, "GET", "/v1/devices", token).json()
    assert [d["deviceId"] for d in listed["value"]] == ["pump-7"]
    assert call(server, "DELETE", "/v1/devices/pump-7", token).status_code == 204
    assert call(server, "GET", "/v1/devices/pump-7/connection", token).status_code == 404
    assert call(server, "GET", "/v1/twins/pump-7", token).status_code == 200
