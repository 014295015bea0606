"""factory_boy factories for every model. No side effects beyond the row itself."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import Role
from accounts.services import grant_role
from core.models import City, Neighborhood
from events.models import Topic

PASSWORD = "a-Long-test-passw0rd"


class NeighborhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighborhood
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Neighborhood {n}")
    slug = factory.Sequence(lambda n: f"neighborhood-{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("key",)

    key = City.SINGLETON_KEY
    name = "Philadelphia"
    timezone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    """A resident with a verified primary e-mail address who can sign in at once."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if not create:
            return
        self.save()
        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        for role in extracted if extracted is not None else [Role.RESIDENT]:
            grant_role(user=self, role=role)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "What this topic is about."
    default_hashtag = factory.Sequence(lambda n: f"#Topic{n}")
    owning_team = "Philly311"
