"""The peer of bench/rpc.py: its team read and no-op in FastAPI + Pydantic.

The same key lookup, unit of work and service call as the product's ``members.list``; Pydantic
models of the same wire shape (camelCase) validate and encode the answer, as FastAPI does with a
``response_model``. Served by bench/rpc.py in a uvicorn process of its own.

(No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at run time.)
"""

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from fastapi import FastAPI, Header, Request
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from app.auth.keys import api_keys
from app.config import load_settings
from app.runtime import Runtime
from app.teams.service import TeamService
from app.work import unit_of_work

__all__ = ["build_peer"]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Member(_Model):
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    joined_at: dt.datetime


class Members(_Model):
    items: list[Member]


class Nothing(_Model):
    model_config = ConfigDict(extra="forbid")


class Done(_Model):
    ok: bool = True


def build_peer() -> FastAPI:
    runtime = Runtime(load_settings(os.environ, require_secret_keys=False), session_state=False)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()

    peer = FastAPI(lifespan=lifespan)

    @peer.post("/fastapi/members", response_model=Members)
    async def members(body: Nothing, request: Request, x_api_key: str = Header()) -> Any:
        caller = await api_keys(runtime).caller(
            x_api_key, request.client.host if request.client else ""
        )
        async with unit_of_work(runtime, team_id=caller.team_id, read_only=True) as work:
            rows = await TeamService(work).members(caller.team_id)
        return {"items": [msgspec.structs.asdict(row) for row in rows]}  # validated by the model

    @peer.post("/fastapi/noop", response_model=Done)
    async def noop(body: Nothing) -> Any:
        return Done()

    return peer
