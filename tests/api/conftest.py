import pytest
from django.contrib.auth.models import Group
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.users.models import User
from apps.users.roles import EDITORS, REVIEWERS


@pytest.fixture(autouse=True)
def no_throttling(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@pytest.fixture
def api():
    return APIClient(HTTP_HOST="127.0.0.1")


def client_for(user) -> APIClient:
    client = APIClient(HTTP_HOST="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user)[1]}")
    return client


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="correct horse battery")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def editor_api(editor):
    return client_for(editor)


@pytest.fixture
def reader_api(db):
    return client_for(User.objects.create_user("reader", password="another long one"))


@pytest.fixture
def reviewer(db):
    user = User.objects.create_user("reviewer", password="a third long password")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


@pytest.fixture
def reviewer_api(reviewer):
    return client_for(reviewer)
