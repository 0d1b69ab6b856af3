def test_healthz_answers(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_checks_the_database(client):
    assert client.get("/readyz").json["status"] == "ready"


def test_world_builds_and_guardian_signs_in(client, make, world):
    response = client.get("/api/v1/me", headers=make.login(world.guardian_a))
    assert response.status_code == 200
    assert response.json["roles"] == ["guardian"]
    assert response.json["phone"] == "13800000001"
