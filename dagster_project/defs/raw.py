"""Landing files -> raw tables. A thin shell around ``extract``: read every file of the landing
folder, write its rows to the raw schema. A bad file is quarantined, never stops the others."""

from collections import Counter
from pathlib import Path

import dagster as dg

from extract.report import extract_file, sha256_of

from ..raw_load import ensure_schema, load_aliases, load_batch, mark_absent
from ..settings import aliases_path, landing_path
from .resources import WRITER_POOL, Warehouse

RAW_TABLES = ("files", "reports", "cells", "sections", "issues", "claims", "agency_aliases")
BATCH_SIZE = 200

landing_files = dg.AssetSpec(
    "landing_files",
    description="Report files (HTML, PDF, DOCX, text) in the landing folder (OGI_LANDING).",
    group_name="landing",
    kinds={"file"},
)


class LandingConfig(dg.Config):
    """``landing``: the landing folder; empty means the OGI_LANDING setting."""

    landing: str = ""


def landing_files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


@dg.multi_asset(
    specs=[dg.AssetSpec(["raw", t], deps=[landing_files], group_name="raw", kinds={"duckdb"}) for t in RAW_TABLES],
    pool=WRITER_POOL,
    description="Extract every landing file into the raw schema.",
)
def raw_tables(context: dg.AssetExecutionContext, config: LandingConfig, warehouse: Warehouse):
    folder = Path(config.landing).resolve() if config.landing else landing_path()
    files = landing_files_in(folder)
    statuses: Counter[str] = Counter()
    with warehouse.connect() as con:
        ensure_schema(con)
        batch = []
        for i, path in enumerate(files, 1):
            result = extract_file(path)
            statuses[result["status"]] += 1
            batch.append((path, sha256_of(path), result))
            if len(batch) >= BATCH_SIZE or i == len(files):
                load_batch(con, batch)
                batch = []
                context.log.info(f"extracted {i}/{len(files)} files: {dict(statuses)}")
        gone = mark_absent(con, folder, files)
        load_aliases(con, aliases_path())
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
    meta = {
        "landing": str(folder),
        "files": len(files),
        **{f"status_{k}": v for k, v in statuses.items()},
        "files_gone": gone,
    }
    for t in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", t], metadata={**meta, "rows": counts[t]})
