"""Related streams into real servers in one run: customers as rows of a
PostgreSQL table, orders on a Kafka topic; read back, every order's customer
is a row."""

from __future__ import annotations

import json

from tests.references.conftest import declare
from tests.services import ensure_service
from tests.sinks.kafka_topics import read_topic, unique_topic
from tests.sinks.sql_helpers import fresh_table

ITEMS = """
provider: order_items
fields:
  order_id: {ref: orders.id, records_per: [1, 3]}
  sku: {gen: choice, values: [a, b, c]}
"""


def test_orders_on_kafka_reference_customers_in_postgresql(
    invoke, related, register, tmp_path
):
    register(declare(ITEMS))
    kafka = ensure_service("kafka")
    topic = unique_topic("orders")
    with fresh_table("postgresql", ensure_service("postgresql"), tmp_path) as table:
        result = invoke(
            *("document", "-p", "order_items", "-p", "orders", "-q", 1500),
            *("-p", "customers", "-q", 200, "--seed", 5, "--workers", 2),
            "--sink",
            f"customers={table.url(key='id')}",
            *("--sink", f"orders=kafka://{kafka}/{topic}?key=customer_id"),
            *("-o", tmp_path / "local", "--format", "jsonl"),
        )
        rows = table.rows()
    records = read_topic(kafka, topic, expected=1500)
    orders = [json.loads(record.value) for record in records]
    assert len(rows) == 200 and len(orders) == 1500
    customers = {row["id"] for row in rows}
    assert {order["customer_id"] for order in orders} <= customers
    assert {record.key for record in records} <= {str(c).encode() for c in customers}
    # the chain goes on: each order has 1 to 3 items, in the local file
    items = (tmp_path / "local" / "order_items.jsonl").read_text().splitlines()
    per_order: dict[str, int] = {}
    for line in items:
        order_id = json.loads(line)["order_id"]
        per_order[order_id] = per_order.get(order_id, 0) + 1
    assert set(per_order) == {order["id"] for order in orders}
    assert set(per_order.values()) <= {1, 2, 3}
    # a summary line per stream, and one per sink
    lines = result.stderr.splitlines()
    assert [line.split()[2] for line in lines if line.startswith("wrote")] == [
        "customers",
        "orders",
        "order_items",
    ]
    assert any("postgresql" in line and "acknowledged 200" in line for line in lines)
    assert any(topic in line and "acknowledged 1500" in line for line in lines)
