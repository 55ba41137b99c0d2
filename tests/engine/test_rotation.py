"""`keys rotate`: every sensitive column re-encrypted under the newest key, readable before and after."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from engine.crypto import KeyRing, install_keyring
from engine.models.cases import Identity
from engine.security.rotation import encrypted_columns, rotate_all
from tests.conftest import TEST_FERNET_KEY, TEST_INDEX_KEY


def test_rotation_re_encrypts_everything_under_the_new_key(session, factory, keyring):
    from engine.models.accounts import Role

    worker = factory.user(Role.CASEWORKER, factory.team())
    factory.case(worker, given_name_latin="Zyx-Rotated", alias="Zyx-Alias")
    new_key = Fernet.generate_key().decode()
    both = KeyRing(fernet_keys=(new_key, TEST_FERNET_KEY), index_key=TEST_INDEX_KEY)
    install_keyring(both)
    try:
        report = rotate_all(session=session, keyring=both, batch=1)
        assert report.rotated >= 2
        again = rotate_all(session=session, keyring=both)
        assert again.rotated == 0  # nothing left under the old key
        raw = session.execute(text("SELECT given_name_latin FROM case_identities")).scalar()
        Fernet(new_key).decrypt(raw.encode())  # readable with the new key alone
        only_new = KeyRing(fernet_keys=(new_key,), index_key=TEST_INDEX_KEY)
        install_keyring(only_new)
        session.expire_all()
        assert session.scalar(select(Identity.given_name_latin)) == "Zyx-Rotated"
    finally:
        install_keyring(keyring)


def test_every_encrypted_column_is_found():
    names = {(table.name, column) for table, column in encrypted_columns()}
    assert ("case_identities", "given_name_latin") in names
    assert ("case_histories", "narrative") in names
    assert ("case_records", "data") in names
    assert ("users", "totp_secret") in names
    assert ("work_items", "draft") in names
