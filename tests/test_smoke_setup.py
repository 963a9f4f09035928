from tests.factories import make_user


def test_sign_in_reaches_home(app, client, sign_in):
    user = make_user(full_name="Jo Bloggs")
    sign_in(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "Welcome, Jo Bloggs" in response.get_data(as_text=True)
