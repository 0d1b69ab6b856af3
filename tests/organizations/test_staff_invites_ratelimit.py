def test_guessing_staff_invite_codes_is_rate_limited(app, client, make, world):
    headers = make.login(world.stranger)
    app.config["INVITE_GUESS_ATTEMPTS_PER_HOUR"] = 3
    try:
        answers = [
            client.post(
                "/api/v1/staff-invites/redeem", json={"code": f"WRONG{i}CODE", "display_name": "某"}, headers=headers
            )
            for i in range(4)
        ]
    finally:
        app.config["INVITE_GUESS_ATTEMPTS_PER_HOUR"] = 20
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1].json["code"] == "rate_limited"
    assert "Retry-After" in answers[-1].headers
