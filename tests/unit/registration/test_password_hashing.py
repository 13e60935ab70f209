"""Staff passwords are hashed at scrypt's full cost wherever Pelita runs; only the test suite's config lowers it."""

import os

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from services.registration.config import CONFIGS


@pytest.mark.parametrize("name", ["production", "development"])
def test_outside_the_suite_a_password_hash_costs_werkzeugs_full_scrypt(name, monkeypatch):
    monkeypatch.setitem(os.environ, "PASSWORD_HASH_METHOD", "plain")  # not a setting anyone can lower by env
    method = CONFIGS[name].PASSWORD_HASH_METHOD
    stored = generate_password_hash("kapal layar di sungai barito", method=method)
    assert stored.startswith("scrypt:32768:8:1$")
    assert check_password_hash(stored, "kapal layar di sungai barito")


def test_the_suites_cheaper_hash_still_checks_the_password():
    stored = generate_password_hash("rahasia", method=CONFIGS["test"]().PASSWORD_HASH_METHOD)
    assert check_password_hash(stored, "rahasia") and not check_password_hash(stored, "Rahasia")
