"""`resolutionflow accounts|teams|users|tokens`: tenants and the people in them."""

from __future__ import annotations

from typing import Literal

import typer
from rich.table import Table

from resolutionflow.accounts import service
from resolutionflow.cli.common import console, ensure_schema, handle_errors, print_json, run
from resolutionflow.db import unit_of_work

Role = Literal["engineer", "team_admin", "admin"]  # other values are refused, listing these

accounts_app = typer.Typer(help="Accounts (tenants).", no_args_is_help=True)
teams_app = typer.Typer(help="Teams of an account.", no_args_is_help=True)
users_app = typer.Typer(help="Users of an account.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)


@accounts_app.command("create")
@handle_errors
def create_account(
    slug: str = typer.Argument(..., help="Short name used in commands, e.g. northwind."),
    name: str = typer.Option(..., "--name", help="Display name."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create an account."""

    async def work() -> dict[str, str]:
        await ensure_schema()
        async with unit_of_work() as db:
            account = await service.create_account(db, slug=slug, name=name)
            return {"id": str(account.id), "slug": account.slug, "name": account.name}

    result = run(work)
    print_json(result) if json_out else console.print(f"created account {result['slug']}")


@accounts_app.command("list")
@handle_errors
def list_accounts(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List accounts."""

    async def work() -> list[dict[str, str]]:
        await ensure_schema()
        async with unit_of_work() as db:
            rows = await service.list_accounts(db)
            return [{"id": str(a.id), "slug": a.slug, "name": a.name} for a in rows]

    rows = run(work)
    if json_out:
        print_json(rows)
        return
    table = Table("slug", "name", "id")
    for row in rows:
        table.add_row(row["slug"], row["name"], row["id"])
    console.print(table)


@teams_app.command("create")
@handle_errors
def create_team(
    team_slug: str = typer.Argument(..., help="Team slug, e.g. service-desk."),
    account: str = typer.Option(..., "--account", help="Account slug."),
    name: str = typer.Option(..., "--name", help="Display name."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a team in an account."""

    async def work() -> dict[str, str]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await service.get_account(db, slug=account)
            team = await service.create_team(db, account=acc, slug=team_slug, name=name)
            return {"id": str(team.id), "slug": team.slug, "name": team.name, "account": acc.slug}

    result = run(work)
    if json_out:
        print_json(result)
    else:
        console.print(f"created team {result['slug']} in {account}")


@users_app.command("create")
@handle_errors
def create_user(
    account: str = typer.Option(..., "--account", help="Account slug."),
    email: str = typer.Option(..., "--email"),
    role: Role = typer.Option("engineer", "--role"),
    password: str | None = typer.Option(None, "--password", help="Omit to create without sign-in."),
    name: str | None = typer.Option(None, "--name"),
    team: str | None = typer.Option(None, "--team", help="Team slug."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a user."""

    async def work() -> dict[str, str | None]:
        await ensure_schema()
        async with unit_of_work() as db:
            acc = await service.get_account(db, slug=account)
            team_obj = await service.get_team(db, account=acc, slug=team) if team else None
            user = await service.create_user(
                db,
                account=acc,
                email=email,
                role=role,
                password=password,
                name=name,
                team=team_obj,
            )
            return {
                "id": str(user.id),
                "email": user.email,
                "role": user.role,
                "name": user.name,
                "account": acc.slug,
                "team": team_obj.slug if team_obj else None,
            }

    result = run(work)
    if json_out:
        print_json(result)
    else:
        console.print(f"created {result['role']} {result['email']} in {result['account']}")


@users_app.command("set-password")
@handle_errors
def set_password(
    email: str = typer.Option(..., "--email"),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
) -> None:
    """Set a user's password (imported engineers have none until this is done)."""

    async def work() -> None:
        await ensure_schema()
        async with unit_of_work() as db:
            user = await service.user_by_email(db, email=email)
            from resolutionflow.models import Account

            acc = await db.get(Account, user.account_id)
            assert acc is not None
            await service.set_password(db, account=acc, user_id=user.id, password=password)

    run(work)
    console.print(f"password set for {email}")


@tokens_app.command("create")
@handle_errors
def create_token(
    email: str = typer.Option(..., "--email", help="The user the token acts as."),
    name: str = typer.Option("", "--name", help="What the token is for."),
    json_out: bool = typer.Option(False, "--json", help='Print {"token": "..."}.'),
) -> None:
    """Create an API token. It is printed once and stored only hashed."""

    async def work() -> str:
        await ensure_schema()
        async with unit_of_work() as db:
            user = await service.user_by_email(db, email=email)
            issued = await service.create_token(db, user=user, name=name)
            return issued.token

    token = run(work)
    if json_out:
        print_json({"token": token})
    else:
        console.print("Store this token now; it will not be shown again:")
        print(token)
