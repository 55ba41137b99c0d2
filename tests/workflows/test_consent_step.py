"""The pre-reintegration "Rights explained and informed consent" step records consent to services as a
consent record (listed on the case's consent page): the survivor's, or for a child the guardian's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.errors import InvalidInput
from engine.models.cases import Identity
from engine.models.security import ConsentRecord


def _services(walk):
    walk.session.expire_all()
    return walk.session.scalars(select(ConsentRecord).where(ConsentRecord.kind == "services")).all()


def test_a_childs_consent_to_services_is_the_guardians(walk):
    walk.do("registration")
    walk.do("consent", method="thumbprint", guardian_consent=True)
    (record,) = _services(walk)
    assert (record.given_by, record.method, record.case_id) == ("guardian", "thumbprint", walk.case.id)


def test_without_the_guardian_a_child_cannot_consent_and_nothing_is_written(walk):
    walk.do("registration")
    with pytest.raises(InvalidInput) as refused:
        walk.do("consent", guardian_consent=False)
    assert "guardian" in refused.value.fields["guardian_consent"]
    assert _services(walk) == []
    assert "consent" in walk.open_names()


def test_an_adult_consents_for_themself(walk):
    with transaction(walk.session):
        identity = walk.session.scalar(select(Identity).where(Identity.case_id == walk.case.id))
        identity.date_of_birth = dt.date(1990, 4, 4)
    walk.do("registration")
    walk.do("consent", guardian_consent=False)
    (record,) = _services(walk)
    assert record.given_by == "survivor"


def test_no_consent_to_services_records_nothing(walk):
    walk.do("registration")
    walk.do("consent", consent_to_services=False)
    assert _services(walk) == []
