"""Fixtures of the partner-registry tests (personas are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from partners import roles
from tests import factories

from .support import add_required_documents


@pytest.fixture
def make_partner(db):
    """Build a partner in a given status, by default with a complete set of current documents."""

    def make(status, *, documents: bool = True, **kwargs):
        partner = factories.PartnerFactory(status=status, **kwargs)
        if documents:
            add_required_documents(partner)
        return partner

    return make


@pytest.fixture
def approver_only(db):
    """In the Approvers group but not in Bureau staff: may approve, nothing else."""
    user = factories.UserFactory(username="approver-only")
    user.groups.add(Group.objects.get(name=roles.APPROVERS))
    return user


@pytest.fixture
def third_approver(role_groups):
    """A third approver: with two makers on a file, someone else must still be able to approve."""
    return factories.UserFactory(username="approver3", groups=[roles.BUREAU_STAFF, roles.APPROVERS])
