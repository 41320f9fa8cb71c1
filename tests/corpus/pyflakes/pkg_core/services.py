# Exercises: a service module: relative imports (used and unused), an aliased
# relative import, module-level state with an undefined local in a method,
# unused variables, a helper redefined before use.
import logging
import secrets
from typing import Iterable

from . import models
from .models import User as UserModel, Group
from .version import build_info

log = logging.getLogger(__name__)
_instances = 0


class UserService:
    def __init__(self, backend=None):
        self.backend = backend or {}
        _instances += 1

    def create(self, email: str, name: str = "") -> UserModel:
        user = UserModel(email=email, name=name)
        token = secrets.token_hex(16)
        self.backend[email] = user
        log.info("created %s", email)
        return user

    def bulk_create(self, emails: Iterable[str]) -> list:
        created = []
        for email in emails:
            created.append(self.create(email))
        skipped = len(created) - len(list(emails))
        return created

    def find(self, email: str):
        return self.backend.get(email) or models.User(email=email)

    def group_of(self, name: str):
        return groups.get(name)


def make_service():
    return UserService()


def make_service():
    return UserService(backend={})
