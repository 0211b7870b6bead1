"""datagen.references on its own: the specs and their checks, the order of
streams, the pools and the draws (shares measured against the law asked for)."""

from __future__ import annotations

from collections import Counter
from random import Random

import pytest

from datagen.errors import ConfigError
from datagen.references import (
    Assignment,
    Pool,
    Reference,
    Sampler,
    Skew,
    histogram_skew,
    pareto_skew,
    parse_skew,
    per_parent,
    references_of,
    split_target,
    stream_order,
    zipf_skew,
)

DRAWS = 200_000


def shares_by_rank(sampler: Sampler, draws: int = DRAWS) -> list[float]:
    """Each pool position's share of the draws, busiest first."""
    rng = Random(5)
    counts = Counter(sampler.draw(rng) for _ in range(draws))
    return sorted((count / draws for count in counts.values()), reverse=True)


def test_uniform_draws_reach_every_parent_evenly():
    shares = shares_by_rank(Sampler(50, Skew(), seed=1))
    assert len(shares) == 50
    assert max(shares) < 1.15 / 50 and min(shares) > 0.85 / 50


def test_zipf_gives_the_top_fifth_their_share_of_the_law():
    size, exponent = 100, 1.1
    weights = [(rank + 1) ** -exponent for rank in range(size)]
    expected = sum(weights[:20]) / sum(weights)
    shares = shares_by_rank(Sampler(size, zipf_skew(exponent), seed=2))
    assert sum(shares[:20]) == pytest.approx(expected, abs=0.01)
    assert shares[0] == pytest.approx(weights[0] / sum(weights), abs=0.01)


def test_80_20_gives_a_fifth_of_the_parents_four_fifths():
    sampler = Sampler(1000, pareto_skew("80/20"), seed=3)
    shares = shares_by_rank(sampler)
    assert sum(shares[:200]) == pytest.approx(0.8, abs=0.01)
    # within a bucket, uniform: the 200 busiest have about the same share
    assert max(shares[:200]) < 1.25 * 0.8 / 200


def test_a_histogram_of_three_buckets():
    skew = histogram_skew([[0.1, 0.5], [0.3, 0.3], [0.6, 0.2]])
    shares = shares_by_rank(Sampler(100, skew, seed=4))
    assert sum(shares[:10]) == pytest.approx(0.5, abs=0.01)
    assert sum(shares[10:40]) == pytest.approx(0.3, abs=0.01)


def test_the_busiest_parents_are_spread_over_the_pool_not_the_first():
    sampler = Sampler(1000, zipf_skew(1.5), seed=6)
    top = [position for position in range(1000) if sampler.rank_of(position) < 10]
    assert len(top) == 10 and top != list(range(10))
    assert sorted(sampler.rank_of(p) for p in range(1000)) == list(range(1000))


def test_tiny_pools_never_draw_outside_them():
    rng = Random(1)
    for size in (1, 2, 3):
        for skew in (Skew(), zipf_skew(2), pareto_skew("80/20")):
            sampler = Sampler(size, skew, seed=7)
            assert {sampler.draw(rng) for _ in range(200)} <= set(range(size))


def test_records_per_gives_each_parent_lo_to_hi_children_grouped():
    assignment = Assignment(300, (1, 5), seed=8)
    assert all(1 <= count <= 5 for count in assignment.counts)
    assert assignment.total == sum(assignment.counts)
    parents = [assignment.parent(index) for index in range(assignment.total)]
    assert parents == sorted(parents)
    assert Counter(parents) == dict(enumerate(assignment.counts))


def test_a_pool_keeps_rows_with_every_field_and_json_values():
    pool = Pool("customers", ["id", "address.city"])
    pool.gather(
        [
            {"id": 1, "address": {"city": "Oslo"}},
            {"id": None, "address": {"city": "Rome"}},
            {"id": 3},
            {"id": 4, "address": {"city": "Lima"}},
        ]
    )
    assert pool.columns == {"id": [1, 4], "address.city": ["Oslo", "Lima"]}
    empty = Pool("customers", ["id"])
    empty.gather([{"name": "x"}])
    with pytest.raises(ConfigError, match="none of the 1 customers records"):
        empty.check()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: zipf_skew(0), "above 0"),
        (lambda: zipf_skew("1.1"), "above 0"),
        (lambda: pareto_skew("80-20"), "like 80/20"),
        (lambda: pareto_skew("100/20"), "between 0 and 100"),
        (lambda: histogram_skew([[0.5, 0.5], [0.4, 0.5]]), "parents add up to 0.9"),
        (lambda: histogram_skew([[0.5]]), "is not"),
        (lambda: per_parent([5, 1]), "0 <= lo <= hi"),
        (lambda: per_parent([1]), r"\[lo, hi\]"),
        (lambda: per_parent([0, 0]), "gives no records"),
        (lambda: split_target("customers"), "stream.field"),
        (lambda: parse_skew(zipf=1.1, skew="80/20"), "not zipf and skew"),
        (lambda: parse_skew(zipf=-1), "^zipf: "),
    ],
)
def test_bad_specs_are_one_line_naming_what_is_wrong(call, message):
    with pytest.raises(ConfigError, match=message) as raised:
        call()
    assert "\n" not in str(raised.value)


def ref(field: str, target: str) -> Reference:
    stream, key = split_target(target)
    return Reference(field, stream, key)


def test_parents_come_before_children_whatever_the_order_given():
    streams = {
        "payments": [ref("order_id", "orders.id")],
        "orders": [ref("customer_id", "customers.id")],
        "customers": [],
        "products": [],
    }
    order = stream_order(streams)
    assert order.index("customers") < order.index("orders") < order.index("payments")
    assert set(order) == set(streams)


def test_a_cycle_and_a_missing_parent_are_refused():
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        stream_order({"a": [ref("b_id", "b.id")], "b": [ref("a_id", "a.id")]})
    with pytest.raises(ConfigError, match="orders.customer_id references customers"):
        stream_order({"orders": [ref("customer_id", "customers.id")]})


def test_python_references_are_checked_by_attribute():
    found = references_of(
        "orders", {"customer_id": "customers.id"}, {"customer_id": (1, 3)}
    )
    assert found == (Reference("customer_id", "customers", "id", records_per=(1, 3)),)
    with pytest.raises(ConfigError, match="records_per names 'x'"):
        references_of("orders", {}, {"x": (1, 2)})
    with pytest.raises(
        ConfigError, match="provider 'orders': references customer_id: "
    ):
        references_of("orders", {"customer_id": "customers"})
