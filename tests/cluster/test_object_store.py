"""`document --cluster -o s3://...`: the workers upload their parts to the
bucket (moto's S3 here) and the driver its manifest; read back, the parts
laid end to end are the file one process writes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cluster.dask_processes import DaskCluster
from tests.cluster.runs import SEED, check_manifest, generate_together, same_bytes
from tests.files.test_part_store import s3_client, unique_bucket
from tests.services import ensure_service

QUANTITY = 3500


def test_parts_in_a_bucket_are_the_one_process_file(
    dask_cluster: DaskCluster, tmp_path: Path
) -> None:
    endpoint = "http://" + ensure_service("kinesis")
    bucket = unique_bucket()
    url = f"s3://{bucket}/run1/?endpoint={endpoint}&region=us-east-1&create=1"
    accounts = ("document", "-p", "starfleet_account", "-q", QUANTITY, "--seed", SEED)
    one = tmp_path / "one.jsonl"
    generate_together(
        (*accounts, "--quiet", "-o", one),
        (*accounts, "--quiet", "-o", url,
         "--cluster", dask_cluster.address, "--shard-size", 1000),
    )  # fmt: skip
    client = s3_client(endpoint)
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    keys = sorted(item["Key"] for item in listed)
    parts = [key for key in keys if key.startswith("run1/part-")]
    assert parts == [f"run1/part-{i:05d}.jsonl" for i in range(4)]
    assert keys == sorted([*parts, "run1/manifest.json", "run1/run.json"])

    def read(key: str) -> bytes:
        body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    data = [(key.removeprefix("run1/"), read(key)) for key in parts]
    same_bytes(b"".join(d for _, d in data), one.read_bytes(), "parts in S3")
    check_manifest(json.loads(read("run1/manifest.json")), data, QUANTITY)
