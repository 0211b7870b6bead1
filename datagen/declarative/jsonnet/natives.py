"""The Eventer tool's native functions (`std.native('get_integer')`...), in
Python: same names, same arguments, values from Mimesis.

Long because it is one table: nine functions with Eventer's argument rules
and the 44 keys of get_rand_data(), each a line; splitting would scatter it.

Every draw comes from one seeded RNG (`Natives.rng`, shared by the Mimesis
providers), in the order Jsonnet calls the functions, so a seed repeats
every document. Nothing here imports the Jsonnet engine: it runs in the
evaluating process only (evaluator.py).

Differences from Eventer (documented in docs/declarative.md):
- get_number(lo, hi) is a float in [lo, hi]; Eventer's draws from [0, lo + hi).
- get_timestamp's last step can land on the end date's last step; Eventer's
  never gives the last one (its k is drawn below the count of steps).
- get_one_of accepts a space-separated list when there is no comma.
- bad input (a step of 0, hi < lo, an end before the start) is an error
  where Eventer panics or returns something out of range.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from mimesis import random as mimesis_random
from mimesis.providers import (
    Address,
    Datetime,
    Finance,
    Internet,
    Payment,
    Person,
    Text,
)

from datagen.documents import to_locale
from datagen.seeding import derive_seed, random_uuid

#: One native call as recorded: its name and the arguments Jsonnet gave.
Call = tuple[str, tuple[Any, ...]]


class NativeError(ValueError):
    """Bad arguments to a native function; str() is the one-line message
    (a line break in a quoted argument is shown as \\n)."""

    def __init__(self, message: str) -> None:
        super().__init__(message.replace("\r", "\\r").replace("\n", "\\n"))


#: The keys of get_rand_data(): every key Eventer's README lists, then the
#: names its code really produces (a Go struct field without a JSON name is
#: `DayOfMonth`; the README's `opayment_method` is a typo of `payment_method`;
#: `day_of_week` is in the code but not the README).
README_KEYS = (
    "lat",
    "long",
    "cc_number",
    "cc_type",
    "email",
    "domain_name",
    "ipv4",
    "ipv6",
    "password",
    "jwt",
    "phone_number",
    "mac_address",
    "url",
    "username",
    "toll_free_number",
    "e_164_phone_number",
    "first_name",
    "last_name",
    "name",
    "unix_time",
    "date",
    "time",
    "month_name",
    "year",
    "day_of_month",
    "timestamp",
    "century",
    "timezone",
    "time_period",
    "word",
    "sentence",
    "paragraph",
    "currency",
    "amount",
    "amount_with_currency",
    "uuid_hyphenated",
    "uuid_digit",
    "opayment_method",
    "id",
    "price",
    "number",
)
#: Second names for one value: the alias reads the key it names.
ALIASES = {
    "DayOfMonth": "day_of_month",
    "payment_method": "opayment_method",
}
RAND_DATA_KEYS = (*README_KEYS, "DayOfMonth", "day_of_week", "payment_method")

#: Native function -> its parameters, as Eventer declares them.
NATIVE_PARAMS: dict[str, tuple[str, ...]] = {
    "get_dataset": ("default",),
    "get_instance_id": ("default",),
    "get_one_of": ("values",),
    "get_timestamp": ("from", "to", "duration"),
    "get_timestamp_iso": ("from", "to", "duration"),
    "get_integer": ("min", "max"),
    "get_number": ("min", "max"),
    "get_rand_data": (),
    "get_rand_user_agent": (),
}
#: The hidden native behind the lazy get_rand_data() object (template.py).
RAND_KEY_NATIVE = "__datagen_rand_data_key"

_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # micro sign
    "μs": 1_000,  # Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_STEP_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_DAY_NS = 86_400 * 1_000_000_000
_EPOCH = date(1970, 1, 1)
_CENTURIES = (
    *"I II III IV V VI VII VIII IX X".split(),
    *"XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI".split(),
)
_PAYMENT_METHODS = ("cc", "paypal", "check", "money order")
_TOLL_FREE = ("800", "888", "877", "866", "855", "844", "833")
_JWT_HEADER = (
    base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
)


def parse_step(text: str) -> int:
    """Nanoseconds in a Go duration ('1h', '90s', '1h30m', '1.5ms', '250us');
    NativeError for anything else, zero or a negative step."""
    cleaned = text.strip()
    parts = _STEP_PART.findall(cleaned)
    if cleaned.startswith("-") or cleaned in {"0", "+0"}:
        raise NativeError(f"step '{text}' must be longer than zero")
    body = cleaned.removeprefix("+")
    if not parts or _STEP_PART.sub("", body):
        raise NativeError(
            f"step '{text}' is not a duration (e.g. 1h, 15m, 1s, 500ms; "
            "units ns, us, µs, ms, s, m, h)"
        )
    try:
        nanoseconds = int(sum(Decimal(n) * _UNIT_NS[unit] for n, unit in parts))
    except InvalidOperation:
        raise NativeError(f"step '{text}' is not a duration") from None
    if nanoseconds <= 0:
        raise NativeError(f"step '{text}' must be longer than zero")
    return nanoseconds


def parse_day(text: Any, what: str) -> date:
    """A YYYY-MM-DD date (as Go's time.Parse('2006-01-02') reads it)."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise NativeError(f"{what} {_shown(text)} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise NativeError(f"{what} '{text}' is not a date: {exc}") from None


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"'{value}'" if isinstance(value, str) else json.dumps(value)


def _string(function: str, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise NativeError(f"{function}: {what} must be a string, not {_shown(value)}")
    return value


def _integer(function: str, value: Any, what: str) -> int:
    """Go's getInt64Arg: a number (truncated) or the text of an integer."""
    if isinstance(value, bool) or value is None:
        raise NativeError(f"{function}: {what} must be a number, not {_shown(value)}")
    if isinstance(value, str):
        if not _INTEGER.fullmatch(value):
            raise NativeError(f"{function}: {what} '{value}' is not an integer")
        return int(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise NativeError(f"{function}: {what} must be a finite number")
    return int(value)


def _float(function: str, value: Any, what: str) -> float:
    """Go's getFloat64Arg: a number or the text of one."""
    if isinstance(value, bool) or value is None:
        raise NativeError(f"{function}: {what} must be a number, not {_shown(value)}")
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise NativeError(f"{function}: {what} '{value}' is not a number") from None
    else:
        number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise NativeError(f"{function}: {what} must be a finite number")
    return number


class Natives:
    """The native functions of one template run: a locale's Mimesis providers
    sharing one seeded RNG, the dataset and instance id when configured.

    `units` counts the work handed to the Jsonnet engine (one a call, one a
    key of a returned object): its binding never frees what a callback
    returns, so the evaluating process is replaced after a bounded number."""

    def __init__(
        self,
        locale: str = "en",
        dataset: str | None = None,
        instance_id: str | None = None,
        now: datetime | None = None,
        record: bool = False,
    ) -> None:
        self.rng = mimesis_random.Random()
        code = to_locale(locale)
        rng = self.rng
        self.person = Person(code, random=rng)
        self.address = Address(code, random=rng)
        self.datetime = Datetime(code, random=rng)
        self.finance = Finance(code, random=rng)
        self.text = Text(code, random=rng)
        self.internet = Internet(random=rng)
        self.payment = Payment(random=rng)
        self.dataset = dataset or ""
        self.instance_id = instance_id or ""
        now = now or datetime(2025, 1, 1, tzinfo=timezone.utc)
        self.now_epoch = int(now.timestamp())
        self.units = 0
        #: The message of the last native function that failed (the binding
        #: reports only "failed to execute native callback").
        self.last_error: str | None = None
        #: With record: every native call of a batch as (name, arguments),
        #: in call order (canonical.py hashes them); None otherwise, and
        #: then callbacks() wraps nothing more than the count.
        self.calls: list[Call] | None = [] if record else None
        self._rand_data: dict[str, Callable[[], Any]] = {
            "lat": lambda: round(float(self.address.latitude()), 6),
            "long": lambda: round(float(self.address.longitude()), 6),
            "cc_number": lambda: self.payment.credit_card_number().replace(" ", ""),
            "cc_type": self.payment.credit_card_network,
            "email": self.person.email,
            "domain_name": self._domain_name,
            "ipv4": self.internet.ip_v4,
            "ipv6": self.internet.ip_v6,
            "password": lambda: self.person.password(length=rng.randint(8, 16)),
            "jwt": self._jwt,
            "phone_number": self.person.telephone,
            "mac_address": self.internet.mac_address,
            "url": self.internet.url,
            "username": self.person.username,
            "toll_free_number": lambda: self.person.telephone(
                mask=f"({rng.choice(_TOLL_FREE)}) ###-####"
            ),
            "e_164_phone_number": lambda: self.person.telephone(mask="+1##########"),
            "first_name": self.person.first_name,
            "last_name": self.person.last_name,
            "name": self.person.full_name,
            "unix_time": self._unix_time,
            "date": lambda: self._moment().strftime("%Y-%m-%d"),
            "time": lambda: self._moment().strftime("%H:%M:%S"),
            "month_name": lambda: self.datetime.month(),
            "year": lambda: str(rng.randint(1970, max(1970, now.year))),
            "day_of_month": lambda: f"{rng.randint(1, 31):02d}",
            "day_of_week": lambda: self.datetime.day_of_week(),
            "timestamp": lambda: self._moment().strftime("%Y-%m-%d %H:%M:%S"),
            "century": lambda: rng.choice(_CENTURIES),
            "timezone": lambda: self.datetime.timezone(),
            "time_period": lambda: rng.choice(("AM", "PM")),
            "word": self.text.word,
            "sentence": self.text.sentence,
            "paragraph": lambda: self.text.text(quantity=rng.randint(3, 6)),
            "currency": lambda: self.finance.currency_iso_code(),
            "amount": self._amount,
            "amount_with_currency": lambda: (
                f"{self.finance.currency_iso_code()} {self._amount():.2f}"
            ),
            "uuid_hyphenated": lambda: random_uuid(rng),
            "uuid_digit": lambda: random_uuid(rng).replace("-", ""),
            "opayment_method": lambda: rng.choice(_PAYMENT_METHODS),
            "id": lambda: rng.choice((1, 10000)),
            "price": lambda: rng.choice((1.5, 100.99)),
            "number": lambda: rng.choice((1, 10000)),
        }

    def seed_state(self, seed: int) -> Any:
        """The RNG state a stream seeded with seed starts from."""
        self.rng.seed(derive_seed(seed, "jsonnet"))
        return self.rng.getstate()

    # The native functions, as Eventer names them.

    def get_dataset(self, default: Any) -> str:
        if self.dataset:
            return self.dataset
        return _string("get_dataset", default, "default")

    def get_instance_id(self, default: Any) -> str:
        if self.instance_id:
            return self.instance_id
        return _string("get_instance_id", default, "default")

    def get_one_of(self, values: Any) -> str:
        text = _string("get_one_of", values, "values")
        items = text.split(",") if "," in text else text.split()
        items = [item.strip(" ") for item in items]
        if not text.strip():
            raise NativeError("get_one_of: no values in ''")
        return items[self.rng.randrange(len(items))]

    def _timestamp_ns(self, start: Any, end: Any, step: Any, function: str) -> int:
        first = parse_day(start, f"{function}: from")
        last = parse_day(end, f"{function}: to")
        try:
            step_ns = parse_step(_string(function, step, "step"))
        except NativeError as exc:
            message = str(exc)
            raise NativeError(
                message if message.startswith(function) else f"{function}: {message}"
            ) from None
        if last < first:
            raise NativeError(f"{function}: to '{end}' is before from '{start}'")
        start_ns = (first - _EPOCH).days * _DAY_NS
        end_ns = (last - _EPOCH).days * _DAY_NS + _DAY_NS - 1  # its last nanosecond
        steps = (end_ns - start_ns) // step_ns
        return start_ns + self.rng.randint(0, steps) * step_ns

    def get_timestamp(self, start: Any, end: Any, step: Any) -> int | float:
        """Unix seconds of start + k*step, for a random k up to the end of the
        end date (UTC); a float when the step is finer than a second."""
        nanoseconds = self._timestamp_ns(start, end, step, "get_timestamp")
        seconds, rest = divmod(nanoseconds, 1_000_000_000)
        return seconds if not rest else nanoseconds / 1e9

    def get_timestamp_iso(self, start: Any, end: Any, step: Any) -> str:
        """get_timestamp as ISO 8601 text in UTC ('2021-12-05T13:00:00Z')."""
        nanoseconds = self._timestamp_ns(start, end, step, "get_timestamp_iso")
        seconds, rest = divmod(nanoseconds, 1_000_000_000)
        moment = datetime(1970, 1, 1) + timedelta(seconds=seconds)
        fraction = f".{rest:09d}".rstrip("0") if rest else ""
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"

    def get_integer(self, low: Any, high: Any) -> int:
        """An integer in [min, max), as Eventer's; min when they are equal."""
        lo = _integer("get_integer", low, "min")
        hi = _integer("get_integer", high, "max")
        if hi < lo:
            raise NativeError(f"get_integer: max {hi} is below min {lo}")
        return lo if hi == lo else lo + self.rng.randrange(hi - lo)

    def get_number(self, low: Any, high: Any) -> float:
        """A float in [min, max] (Eventer's draws from [0, min + max): a bug)."""
        lo = _float("get_number", low, "min")
        hi = _float("get_number", high, "max")
        if hi < lo:
            raise NativeError(f"get_number: max {hi:g} is below min {lo:g}")
        return lo if hi == lo else self.rng.uniform(lo, hi)

    def get_rand_data(self) -> dict[str, Any]:
        """Every key at once (what an imported file's std.native gets; the
        template itself gets a lazy object drawing only the keys it reads)."""
        data = {key: self._rand_data[key]() for key in README_KEYS}
        data["day_of_week"] = self._rand_data["day_of_week"]()
        for alias, key in ALIASES.items():
            data[alias] = data[key]
        self.units += len(data)
        return data

    def rand_data_key(self, key: Any) -> Any:
        """One key of get_rand_data()."""
        make = (
            self._rand_data.get(ALIASES.get(key, key)) if isinstance(key, str) else None
        )
        if make is None:
            raise NativeError(f"get_rand_data() has no key {_shown(key)}")
        return make()

    def get_rand_user_agent(self) -> str:
        return self.internet.user_agent()

    # get_rand_data's pieces.

    def _unix_time(self) -> int:
        return self.rng.randint(0, self.now_epoch)

    def _moment(self) -> datetime:
        return datetime(1970, 1, 1) + timedelta(seconds=self._unix_time())

    def _amount(self) -> float:
        return round(self.rng.uniform(1, 10_000), 2)

    def _domain_name(self) -> str:
        return f"{self.text.word().lower()}{self.internet.top_level_domain()}"

    def _jwt(self) -> str:
        claims = {"sub": random_uuid(self.rng), "iat": self._unix_time()}
        payload = base64.urlsafe_b64encode(
            json.dumps(claims, separators=(",", ":")).encode()
        )
        signature = base64.urlsafe_b64encode(self.rng.randbytes(32))
        return ".".join(
            [
                _JWT_HEADER,
                payload.rstrip(b"=").decode(),
                signature.rstrip(b"=").decode(),
            ]
        )

    def callbacks(self) -> dict[str, tuple[tuple[str, ...], Callable[..., Any]]]:
        """native_callbacks for the Jsonnet binding: each function counted,
        and its error kept in last_error (the binding drops the message);
        each call recorded in calls when recording."""
        table: dict[str, tuple[tuple[str, ...], Callable[..., Any]]] = {}
        functions: dict[str, Callable[..., Any]] = {
            name: getattr(self, name) for name in NATIVE_PARAMS
        }
        functions[RAND_KEY_NATIVE] = self.rand_data_key
        params = {**NATIVE_PARAMS, RAND_KEY_NATIVE: ("key",)}
        for name, function in functions.items():
            counted = self._counted(function)
            if self.calls is not None:
                counted = _recorded(name, counted, self.calls)
            table[name] = (params[name], counted)
        return table

    def _counted(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self.units += 1
            try:
                return function(*args)
            except NativeError as exc:
                self.last_error = str(exc)
                raise
            except Exception as exc:  # a Mimesis failure: still one line
                self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0]
                raise

        return call


def _recorded(
    name: str, function: Callable[..., Any], calls: list[Call]
) -> Callable[..., Any]:
    """function, with each call appended to calls (a failed one too)."""

    def call(*args: Any) -> Any:
        calls.append((name, args))
        return function(*args)

    return call
