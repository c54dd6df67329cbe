"""Variables and dialplan functions: `${NAME}` and `${FUNC(args)}` read, `Set(FUNC(args)=v)`.

Lookup order as in Asterisk: built-in names (EXTEN, CONTEXT, ...), channel variables, globals.
A function the emulator does not implement stops the dialplan (`DialplanFailure`).
`astdb` is Asterisk's internal database (`DB()`, AGI `DATABASE ...`), keyed "/family/key".
"""

from __future__ import annotations

from collections.abc import Callable

from callcenter.emulator.dialplan.state import DialplanFailure, is_true, split_args
from callcenter.emulator.model import Channel, Pbx
from callcenter.emulator.queue import QueueApp

Reader = Callable[["Functions", Channel, list[str], str], str]
Writer = Callable[["Functions", Channel, list[str], str], None]


class Functions:
    def __init__(self, *, pbx: Pbx, queues: QueueApp, globals_: dict[str, str]) -> None:
        self.pbx, self.queues, self.globals = pbx, queues, globals_
        self.astdb: dict[str, str] = {}

    def read(self, ch: Channel, expr: str) -> str:
        call = _call(expr)
        if call is None:
            return self.variable(ch, expr)
        name, raw = call
        reader = READERS.get(name)
        if reader is None:
            raise DialplanFailure(f"function {name}() is not implemented by the emulator")
        return reader(self, ch, split_args(raw), raw)

    def write(self, ch: Channel, expr: str, value: str) -> bool:
        """Set(FUNC(args)=value): True when `expr` was a function call (and was written)."""
        call = _call(expr)
        if call is None:
            return False
        name, raw = call
        writer = WRITERS.get(name)
        if writer is None:
            raise DialplanFailure(f"function {name}() cannot be written in the emulator")
        writer(self, ch, split_args(raw), value)
        return True

    def variable(self, ch: Channel, name: str) -> str:
        return self.find(ch, name) or ""

    def find(self, ch: Channel, name: str) -> str | None:
        """A variable's value; None when it is not set (AGI GET VARIABLE tells the two apart)."""
        builtin = {
            "EXTEN": lambda: ch.exten,
            "CONTEXT": lambda: ch.context,
            "PRIORITY": lambda: str(ch.priority),
            "UNIQUEID": lambda: ch.uniqueid,
            "CHANNEL": lambda: ch.name,
            "EPOCH": lambda: str(int(self.pbx.clock.now())),
        }.get(name)
        if builtin is not None:
            return builtin()
        if name in ch.variables:
            return ch.variables[name]
        return self.globals.get(name)

    def waiting(self, args: list[str]) -> str:
        q = self.queues.queues.get(args[0].strip()) if args else None
        return str(len(q.entries)) if q is not None else "0"


def _call(expr: str) -> tuple[str, str] | None:
    """("NAME", "raw args") of `NAME(raw args)`, None for a plain variable name."""
    head, sep, rest = expr.partition("(")
    if not sep or not rest.endswith(")"):
        return None
    return head.strip().upper(), rest[:-1]


def _if(raw: str) -> str:
    condition, _, branches = raw.partition("?")
    yes, _, no = branches.partition(":")
    return yes if is_true(condition) else no


def _callerid(ch: Channel, args: list[str]) -> str:
    what = (args[0] if args else "").strip().lower()
    if what in ("num", "number"):
        return ch.callerid_num
    if what == "name":
        return ch.callerid_name
    if what == "all":
        return f'"{ch.callerid_name}" <{ch.callerid_num}>'
    raise DialplanFailure(f"CALLERID({what}) is not implemented by the emulator")


def _callerid_write(ch: Channel, args: list[str], value: str) -> None:
    what = (args[0] if args else "").strip().lower()
    if what in ("num", "number"):
        ch.callerid_num = value
    elif what == "name":
        ch.callerid_name = value
    else:
        raise DialplanFailure(f"CALLERID({what}) cannot be set in the emulator")


def db_key(path: str) -> str:
    """`family/key` as the AstDB stores it: "/family/key"."""
    family, sep, key = path.strip().partition("/")
    if not sep or not family or not key:
        raise DialplanFailure(f"DB({path}): expected family/key")
    return f"/{family}/{key}"


def _db_read(fn: Functions, args: list[str]) -> str:
    return fn.astdb.get(db_key(args[0] if args else ""), "")


def _db_delete(fn: Functions, args: list[str]) -> str:
    return fn.astdb.pop(db_key(args[0] if args else ""), "")


def _header_read(ch: Channel, args: list[str]) -> str:
    if len(args) < 2 or args[0].strip().lower() != "read":
        raise DialplanFailure(f"PJSIP_HEADER({','.join(args)}) is not implemented")
    return ch.sip_headers.get(args[1].strip(), "")


def _header_write(ch: Channel, args: list[str], value: str) -> None:
    if len(args) < 2 or args[0].strip().lower() != "add":
        raise DialplanFailure(f"PJSIP_HEADER({','.join(args)}) cannot be set in the emulator")
    ch.out_headers[args[1].strip()] = value


READERS: dict[str, Reader] = {
    "CALLERID": lambda fn, ch, args, raw: _callerid(ch, args),
    "IF": lambda fn, ch, args, raw: _if(raw),
    "LEN": lambda fn, ch, args, raw: str(len(raw)),
    "ISNULL": lambda fn, ch, args, raw: "1" if raw == "" else "0",
    "EXISTS": lambda fn, ch, args, raw: "0" if raw == "" else "1",
    "QUEUE_WAITING_COUNT": lambda fn, ch, args, raw: fn.waiting(args),
    "PJSIP_HEADER": lambda fn, ch, args, raw: _header_read(ch, args),
    "GLOBAL": lambda fn, ch, args, raw: fn.globals.get(args[0].strip(), ""),
    "DB": lambda fn, ch, args, raw: _db_read(fn, args),
    "DB_DELETE": lambda fn, ch, args, raw: _db_delete(fn, args),
}
WRITERS: dict[str, Writer] = {
    "CALLERID": lambda fn, ch, args, value: _callerid_write(ch, args, value),
    "PJSIP_HEADER": lambda fn, ch, args, value: _header_write(ch, args, value),
    "GLOBAL": lambda fn, ch, args, value: fn.globals.__setitem__(args[0].strip(), value),
    "DB": lambda fn, ch, args, value: fn.astdb.__setitem__(db_key(args[0] if args else ""), value),
}
