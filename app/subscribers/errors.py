"""Domain errors of subscribers."""

from __future__ import annotations

import uuid

import msgspec

from rpc import DomainError

__all__ = ["ExistingSubscriber", "SubscriberDeleted", "SubscriberExists"]


class ExistingSubscriber(msgspec.Struct, rename="camel"):
    id: uuid.UUID


class SubscriberExists(DomainError):
    code = "SUBSCRIBER_EXISTS"
    status = 409
    data_type = ExistingSubscriber
    default_message = "the team already has a subscriber with this email"


class SubscriberDeleted(DomainError):
    code = "SUBSCRIBER_DELETED"
    status = 422
    default_message = "this subscriber is deleted: restore it first"
