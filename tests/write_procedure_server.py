"""The API with one more write procedure, added here with no feed code of its own: it writes a
subscriber with plain SQL and returns. Run as ``python -m tests.write_procedure_server`` with the
environment of ``subnest serve``; test_units_of_work follows its write on the live stream."""

from __future__ import annotations

import os

import uvicorn

from app.api import build_registry
from app.auth.tiers import TEAM, TeamContext
from app.config import load_settings
from app.main import create_app
from app.schemas import Input, Ok
from rpc import Registry

extra = Registry()


class AddInput(Input):
    email: str


@extra.procedure("tests.addSubscriber", tier=TEAM, scope="write")
async def add_subscriber(ctx: TeamContext, data: AddInput) -> Ok:
    """Add a subscriber by plain SQL: no service, no poke, nothing but the write."""
    await ctx.work.conn.execute(
        "INSERT INTO subscribers (team_id, email) VALUES ($1, $2)", ctx.team_id, data.email
    )
    return Ok()


def main() -> None:
    settings = load_settings(os.environ)
    app = create_app(settings, build_registry().include(extra))
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_config=None, lifespan="on")


if __name__ == "__main__":
    main()
