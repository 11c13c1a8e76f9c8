import pytest
from django.contrib.auth.models import Group
from django.test import Client

from apps.users.models import User
from apps.users.roles import EDITORS, REVIEWERS


def staff(username: str, role: str) -> User:
    user = User.objects.create_user(username, password=f"{username}-password", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return staff("ed", EDITORS)


@pytest.fixture
def reviewer(db):
    return staff("rev", REVIEWERS)


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


@pytest.fixture
def as_editor(editor):
    return client_for(editor)


@pytest.fixture
def as_reviewer(reviewer):
    return client_for(reviewer)
