import pytest

from app.auth.passwords import hash_password, password_problems, verify_password

NAME = "Nottinghamshire Safeguarding Children Partnership"


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",  # words, spaces: fine
        "safeguarding-demo",  # a partnership word inside a longer passphrase
        "tiny kitten hops",
        "Z" * 60 + "abc" + "!" * 65,  # 128 characters, the maximum
        "ünïcödé pässwörd ☃",
    ],
)
def test_acceptable_passwords(password):
    assert password_problems(password, partnership_name=NAME) == []


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short pass", "at least 12 characters"),
        ("x" * 129, "128 characters or fewer"),
        ("password1234", "common passwords"),
        ("Password1234", "common passwords"),
        ("qwertyuiop123", "common passwords"),
        ("aaaaaaaaaaaaaaaa", "common passwords"),
        ("Nottinghamshire Safeguarding Children Partnership", "partnership's name"),
        ("nottinghamshire-2026!", "partnership's name"),
        ("PARTNERSHIP2026!!", "partnership's name"),
    ],
)
def test_refused_passwords(password, problem):
    problems = password_problems(password, partnership_name=NAME)
    assert len(problems) == 1
    assert problem in problems[0]


def test_password_that_is_the_email_name_is_refused():
    assert (
        "email address"
        in password_problems("jo.bloggs.2026", partnership_name=NAME, email="jobloggs@x.test")[0]
    )


def test_hashes_are_argon2id_and_verify(app):
    hashed = hash_password("a long test passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long test passphrase")
    assert not verify_password(hashed, "a long test passphrasE")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_password_is_stored_exactly_up_to_128_characters(app):
    long_password = "ab " * 42 + "xy"  # 128 characters, spaces kept
    assert len(long_password) == 128
    hashed = hash_password(long_password)
    assert verify_password(hashed, long_password)
    assert not verify_password(hashed, long_password.strip()[:-1])
