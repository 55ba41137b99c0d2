def test_login_page_renders(client):
    assert client.get("/auth/login").status_code == 200


def test_demo_user_signs_in(client, factory, login):
    from engine.accounts.models import Role

    team = factory.team()
    factory.user(Role.CASEWORKER, team, username="cw.one")
    response = login("cw.one")
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
