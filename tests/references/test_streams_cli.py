"""`document` with several streams: parents first, references that hold,
skews and records_per as asked, the same bytes whatever --workers, and bad
input as one line with exit 2."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from datagen.documents import DocumentProvider
from tests.references.conftest import declare


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_orders_reference_customers_written_in_the_same_run(invoke, related, out):
    result = invoke(
        *("document", "-p", "orders", "-q", 3000, "-p", "customers", "-q", 300),
        *("-o", out, "--format", "jsonl", "--seed", 1),
    )
    customers, orders = lines(out / "customers.jsonl"), lines(out / "orders.jsonl")
    assert len(customers) == 300 and len(orders) == 3000
    ids = {customer["id"] for customer in customers}
    assert {order["customer_id"] for order in orders} <= ids
    # customers first (orders reference them), each with its summary line
    summary = result.stderr.splitlines()
    assert summary[0].startswith("wrote 300 customers documents to ")
    assert summary[1].startswith("wrote 3,000 orders documents to ")
    # skew: 80/20 in the example
    busiest = sorted(Counter(o["customer_id"] for o in orders).values())[::-1]
    assert sum(busiest[:60]) / 3000 == pytest.approx(0.8, abs=0.03)


ZIPF_ORDERS = """
provider: zipf_orders
fields:
  id: {gen: uuid}
  customer_id: {ref: customers.id, zipf: 1.1}
"""


def test_zipf_gives_the_top_fifth_of_customers_the_laws_share(
    invoke, related, register, out
):
    register(declare(ZIPF_ORDERS))
    invoke(
        *("document", "-p", "customers", "-q", 200, "-p", "zipf_orders"),
        *("-q", 20000, "-o", out, "--format", "jsonl", "--seed", 2, "--quiet"),
    )
    weights = [(rank + 1) ** -1.1 for rank in range(200)]
    expected = sum(weights[:40]) / sum(weights)
    counts = Counter(order["customer_id"] for order in lines(out / "zipf_orders.jsonl"))
    busiest = sorted(counts.values(), reverse=True)
    assert sum(busiest[:40]) / 20000 == pytest.approx(expected, abs=0.02)


PAYMENTS = """
provider: payments
fields:
  id: {gen: sequence}
  customer_id: {ref: customers.id, records_per: [1, 5]}
  email: {ref: customers.email}
"""


def test_records_per_gives_each_customer_one_to_five_and_sets_the_count(
    invoke, related, register, out
):
    register(declare(PAYMENTS))
    result = invoke(
        *("document", "-p", "payments", "-p", "customers", "-q", 400),
        *("-o", out, "--format", "jsonl", "--seed", 3),
    )
    customers = {c["id"]: c for c in lines(out / "customers.jsonl")}
    payments = lines(out / "payments.jsonl")
    per_customer = Counter(payment["customer_id"] for payment in payments)
    assert set(per_customer) == set(customers)  # every customer has 1 or more
    assert set(per_customer.values()) == {1, 2, 3, 4, 5}
    # refs to the same parent stream read the parent records_per assigned
    assert all(customers[p["customer_id"]]["email"] == p["email"] for p in payments)
    assert f"wrote {len(payments):,} payments documents" in result.stderr


def test_same_seed_same_bytes_whatever_the_workers(invoke, related, tmp_path):
    written = []
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        invoke(
            *("document", "-p", "customers", "-q", 2500, "-p", "orders", "-q"),
            *(3500, "-o", folder, "--format", "jsonl", "--seed", 4, "--quiet"),
            *("--workers", workers),
        )
        written.append(
            [
                (folder / f"{name}.jsonl").read_bytes()
                for name in ("customers", "orders")
            ]
        )
    assert written[0] == written[1]


def test_a_folder_of_json_files_gets_a_folder_per_stream(invoke, related, out):
    invoke("document", "-p", "customers", "-q", 3, "-p", "orders", "-q", 5, "-o", out)
    assert len(list((out / "customers").glob("customers_*.json"))) == 3
    assert len(list((out / "orders").glob("orders_*.json"))) == 5


class PythonOrders(DocumentProvider, abstract=True):
    name = "python_orders"
    references = {"customer_id": "customers.id"}

    def create_schema(self, _: Any) -> dict[str, Any]:
        return {"id": self.uuid(), "customer_id": self.ref("customers", zipf=1.3)}


class Undeclared(DocumentProvider, abstract=True):
    name = "undeclared"
    references = {"customer_id": "customers.id"}

    def create_schema(self, _: Any) -> dict[str, Any]:
        return {"city": self.ref("customers", "city")}


class WrongStream(DocumentProvider, abstract=True):
    name = "wrong_stream"
    references = {"customer_id": "customers.id"}

    def create_schema(self, _: Any) -> dict[str, Any]:
        return {"product_id": self.ref("products")}  # in the run, not declared


class BackwardsCounts(DocumentProvider, abstract=True):
    name = "backwards"
    references = {"customer_id": "customers.id"}
    records_per = {"customer_id": (5, 1)}

    def create_schema(self, _: Any) -> dict[str, Any]:
        return {"customer_id": self.ref("customers")}


def test_a_python_provider_draws_with_self_ref(invoke, related, register, out):
    register(PythonOrders)
    invoke(
        *("document", "-p", "customers", "-q", 50, "-p", "python_orders"),
        *("-q", 500, "-o", out, "--format", "jsonl", "--quiet", "--workers", 2),
    )
    ids = {customer["id"] for customer in lines(out / "customers.jsonl")}
    drawn = [order["customer_id"] for order in lines(out / "python_orders.jsonl")]
    assert len(drawn) == 500 and set(drawn) <= ids


CYCLE_A = "provider: cycle_a\nfields: {id: {gen: uuid}, b: {ref: cycle_b.id}}"
CYCLE_B = "provider: cycle_b\nfields: {id: {gen: uuid}, a: {ref: cycle_a.id}}"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-p", "orders", "-q", 5], "references customers.id, but customers is not"),
        (["-p", "cycle_a", "-p", "cycle_b"], "cycle: cycle_a -> cycle_b -> cycle_a"),
        (
            ["-p", "customers", "-p", "backwards"],
            "records_per customer_id: [5, 1]: needs 0 <=",
        ),
        (["-p", "customers", "-p", "undeclared"], "draws customers.city, which it"),
        (
            ["-p", "products", "-p", "customers", "-p", "wrong_stream"],
            "'wrong_stream' draws products.id, which it does not declare",
        ),
        (
            ["-p", "customers", "-p", "orders", "-q", 5],
            "-q is given once but 2 streams",
        ),
        (
            ["-p", "customers", "-q", 5, "-p", "payments", "-q", 3],
            "records_per counts payments, which take no -q",
        ),
        (
            ["-p", "customers", "-q", 2, "-p", "orders", "-q", 2, "--sink", "stdout"],
            "name the one it takes (--sink orders=SPEC)",
        ),
        (
            ["-p", "customers", "-q", 2, "-p", "orders", "-q", 2, "-o", "x.jsonl"],
            "several streams write a file each",
        ),
        (
            ["-p", "customers", "-q", 2, "-p", "orders", "-q", 2, "--sink", "o=stdout"],
            "no stream 'o' in this run",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(invoke, related, register, argv, message):
    products = declare("provider: products\nfields: {id: {gen: uuid}}")
    register(declare(CYCLE_A), declare(CYCLE_B), products, declare(PAYMENTS))
    register(Undeclared, WrongStream, BackwardsCounts)
    result = invoke("document", *argv, "--quiet", ok=False)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_journey_takes_one_provider(invoke):
    result = invoke("journey", "-p", "ecommerce", "-p", "starfleet", ok=False)
    assert result.exit_code == 2
    assert "journey takes one provider: -p is given 2 times" in result.stderr


def test_python_callers_run_streams_into_their_own_sinks(related, register):
    from datagen.runs.multistream import Stream, run_streams
    from datagen.sinks.memory import MemorySink

    register(declare(PAYMENTS))
    sinks = {name: MemorySink() for name in ("customers", "payments")}
    results = run_streams(
        [
            Stream("payments", None, [sinks["payments"]]),
            Stream("customers", 30, [sinks["customers"]]),
        ],
        seed=9,
    )
    assert [(r.provider, r.requested) for r in results] == [
        ("customers", 30),
        ("payments", len(sinks["payments"].events)),
    ]
    assert results[0].result.target == "memory"  # the key gathering is not shown
    assert [d.sink for d in results[0].result.deliveries] == ["memory"]
    ids = {customer["id"] for customer in sinks["customers"].events}
    assert {payment["customer_id"] for payment in sinks["payments"].events} == ids
