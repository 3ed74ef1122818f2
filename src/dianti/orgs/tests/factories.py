"""Factories for organizations and people. They write through the services, like every other caller, so a factory
object has a real materialized path, an org_path and an audit record."""

from __future__ import annotations

from typing import Any

import factory

from dianti.orgs import services
from dianti.orgs.models import Organization, Person


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"9{n:08d}")
    name = factory.Sequence(lambda n: f"中共测试{n}村支部委员会")
    short_name = factory.Sequence(lambda n: f"测试{n}村")
    kind = Organization.Kind.BRANCH
    level = Organization.Level.GRASSROOTS
    field = Organization.Field.VILLAGE
    parent = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Organization:
        return services.org_create(actor=None, **kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")
    gender = Person.Gender.MALE
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    is_party_member = True
    organization = factory.SubFactory(OrganizationFactory)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Person:
        return services.person_create(actor=None, **kwargs)


def grow(parent: Organization, *, towns: int, villages: int, people: int = 0) -> list[Organization]:
    """Add ``towns`` town committees under ``parent``, each with ``villages`` grassroots villages (each with
    ``people`` people); return the towns."""
    made = []
    for _ in range(towns):
        town = OrganizationFactory(parent=parent, kind=Organization.Kind.COMMITTEE, level=Organization.Level.TOWN,
                                   field=Organization.Field.PARTY_COMMITTEE)
        for village in OrganizationFactory.create_batch(villages, parent=town):
            PersonFactory.create_batch(people, organization=village)
        made.append(town)
    return made
