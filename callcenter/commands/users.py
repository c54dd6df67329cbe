"""`callcenter users`: the people who may sign in (production keeps them in the operators table).

    callcenter users add op101 --name "Иванова А." --sip PJSIP/101 --password-stdin < secret
    callcenter users add chief --name "Старший смены" --role supervisor
    callcenter users list

The password is read from standard input or asked for without echo; it is stored only as an
scrypt hash. A running engine picks up new people at their first sign-in.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import re
import sys
import time

from callcenter.store.migrate import migrate
from callcenter.store.records import Operator
from callcenter.store.repositories import open_store
from callcenter.web.auth import ROLES, hash_password

DEFAULT_URL = "sqlite+aiosqlite:///callcenter.db"
MIN_PASSWORD = 8
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_SIP = re.compile(r"^PJSIP/[A-Za-z0-9_.-]+$")


class UsageError(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy async URL (default: $CALLCENTER_DATABASE_URL or " + DEFAULT_URL + ")",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add a person, or replace their name, role and password")
    add.add_argument("login", help="lower-case letters, digits, '.', '_', '-'")
    add.add_argument("--name", required=True, help="full name, as colleagues see it")
    add.add_argument("--role", choices=ROLES, default="operator")
    add.add_argument("--sip", default=None, help="the operator's SIP endpoint, e.g. PJSIP/101")
    add.add_argument("--queues", default="citizens", help="comma-separated queues")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("list", help="print the people, one JSON object per line (no passwords)")


def run(args: argparse.Namespace) -> int:
    url = args.database_url or os.environ.get("CALLCENTER_DATABASE_URL") or DEFAULT_URL
    try:
        if args.action == "add":
            operator = _operator(args, _password(args.password_stdin))
            asyncio.run(_save(url, operator))
            print(f"saved {operator.id} ({operator.role})")
        else:
            for line in asyncio.run(_list(url)):
                print(line)
    except (UsageError, ValueError) as exc:
        print(f"callcenter users: {exc}", file=sys.stderr)
        return 2
    return 0


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise UsageError("the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def _operator(args: argparse.Namespace, password: str) -> Operator:
    if not _LOGIN.match(args.login):
        raise UsageError(f"login {args.login!r}: lower-case letters, digits, '.', '_', '-'")
    if args.sip is not None and not _SIP.match(args.sip):
        raise UsageError(f"--sip {args.sip!r}: expected PJSIP/<endpoint>")
    if args.role == "operator" and args.sip is None:
        raise UsageError("an operator needs --sip (the softphone their calls ring)")
    queues = tuple(q.strip() for q in args.queues.split(",") if q.strip())
    return Operator(
        id=args.login,
        name=args.name.strip(),
        role=args.role,
        sip_endpoint=args.sip,
        queues=queues,
        password_hash=hash_password(password),
    )


async def _save(url: str, operator: Operator) -> None:
    await migrate(url)
    store = open_store(url, clock=time.time)
    try:
        await store.operators.save(operator)
    finally:
        await store.close()


async def _list(url: str) -> list[str]:
    store = open_store(url, clock=time.time)
    try:
        people = await store.operators.all()
    finally:
        await store.close()
    return [
        json.dumps(
            {"login": p.id, "name": p.name, "role": p.role, "sip": p.sip_endpoint},
            ensure_ascii=False,
        )
        for p in people
    ]
