"""What Dagster dynamic partitions keyed by report would cost: one run materializing N report
partitions of an asset with as many outputs as the raw step has (7), doing no work at all.

    python -m bench.partition_overhead [--n 200,1000]

This is the measurement behind keeping the raw step unpartitioned (content-hash incremental
instead): Dagster records one materialization per partition and output, which at national scale
costs more than extracting the reports."""

import argparse
import time

import dagster as dg

OUTPUTS = ("files", "reports", "cells", "sections", "issues", "claims", "agency_aliases")


def seconds_for(n: int) -> float:
    reports = dg.DynamicPartitionsDefinition(name="reports")

    @dg.multi_asset(
        specs=[dg.AssetSpec(["raw", t]) for t in OUTPUTS],
        partitions_def=reports,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def raw(context: dg.AssetExecutionContext):
        for t in OUTPUTS:
            yield dg.MaterializeResult(asset_key=["raw", t], metadata={"partitions": len(context.partition_keys)})

    job = dg.Definitions(assets=[raw], jobs=[dg.define_asset_job("j")]).resolve_job_def("j")
    keys = [f"{i:064x}" for i in range(n)]
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("reports", keys)
        start = time.perf_counter()
        job.execute_in_process(
            instance=instance,
            tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", default="200,1000")
    args = parser.parse_args()
    print("| report partitions in one run | seconds of Dagster bookkeeping | per 100,000 reports (extrapolated) |")
    print("|---|---|---|")
    for n in (int(x) for x in args.n.split(",")):
        s = seconds_for(n)
        print(f"| {n:,} | {s:.1f} | {s / n * 100_000 / 60:.0f} min |")


if __name__ == "__main__":
    main()
