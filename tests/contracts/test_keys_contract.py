"""What every ApiKeyStore backend must keep: valid keys valid, revoked keys revoked, also when the
stored records are exported and imported again (a copy between catalogues)."""

from __future__ import annotations

import pytest

from catalogue.keys import split_key


def test_exported_records_carry_hashes_and_revocations_but_no_secrets(contract_keys):
    valid = contract_keys.create("curator")
    old = contract_keys.create("oud")
    contract_keys.revoke(split_key(old)[0])
    exported = {k.name: k for k in contract_keys.export_keys()}
    assert set(exported) == {"curator", "oud"}
    assert exported["curator"].revoked is None and exported["oud"].revoked
    assert exported["curator"].key_id == split_key(valid)[0]
    assert all(split_key(key)[1] not in repr(exported) for key in (valid, old))
    assert [k.created for k in contract_keys.list_keys()] == [k.created for k in contract_keys.export_keys()]


def test_an_import_replaces_every_key_by_the_records(contract_keys):
    valid = contract_keys.create("curator")
    old = contract_keys.create("oud")
    contract_keys.revoke(split_key(old)[0])
    exported = contract_keys.export_keys()
    later = contract_keys.create("later")

    assert contract_keys.import_keys(exported) == 2
    assert contract_keys.export_keys() == exported
    assert contract_keys.verify(valid) is not None
    assert contract_keys.verify(old) is None  # revoked stays revoked
    assert contract_keys.verify(later) is None  # not among the records: gone
    assert contract_keys.import_keys([]) == 0 and contract_keys.list_keys() == []


def test_an_import_joins_the_stores_write_transaction(contract_keys, contract_store):
    valid = contract_keys.create("curator")
    exported = contract_keys.export_keys()
    with pytest.raises(RuntimeError), contract_store.transaction():
        contract_keys.import_keys([])
        raise RuntimeError("roll back")
    assert contract_keys.export_keys() == exported
    assert contract_keys.verify(valid) is not None
