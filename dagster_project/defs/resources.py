"""Resources: the DuckDB warehouse (one path, one writer pool) and the dbt CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject

from runtime.settings import DBT_DIR, connect_warehouse, held_elsewhere, warehouse_path

# While one process writes a DuckDB file, no other process may open it, even read-only: every
# asset or check that opens the warehouse runs in this pool (one at a time under `dagster dev`)
WRITER_POOL = "duckdb_writer"


class Warehouse(dg.ConfigurableResource):
    """The DuckDB file. ``path`` empty means the OGI_WAREHOUSE setting."""

    path: str = ""

    def file(self) -> Path:
        return Path(self.path).resolve() if self.path else warehouse_path()

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection; a file that cannot be opened (damaged, in a read-only folder) fails the
        step at once, without retries, saying what to do. A file another process holds for a
        moment (a fetch writing its log) is an ordinary error: the step's retries wait it out."""
        try:
            return connect_warehouse(self.file(), read_only)
        except (duckdb.Error, OSError) as exc:
            if held_elsewhere(exc):
                raise
            cause = str(exc).splitlines()[0][:300]
            raise dg.Failure(
                f"cannot open the warehouse {self.file()}: {cause}. Close any other program using it, or "
                "move a damaged file aside and refresh again to rebuild it",
                allow_retries=False,
            ) from None


# dagster-dbt's manifest preparation looks for `dbt` on PATH: make it this environment's dbt,
# so `dagster dev`, `ogi refresh` and the tests work without an activated virtualenv.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def _manifest_is_stale() -> bool:
    """True when the manifest is missing or older than any dbt source file."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [
        DBT_DIR / "dbt_project.yml",
        *(p for d in ("models", "seeds", "tests", "macros") for p in (DBT_DIR / d).rglob("*") if p.is_file()),
    ]
    return any(p.stat().st_mtime > built for p in sources)


# the manifest is rebuilt when a dbt source changed, under `dagster dev` too: its
# prepare_if_dev parses the project at every load of the code, and every run launched from the
# UI loads it again (six of the seconds a refresh from the UI took)
if _manifest_is_stale():
    dbt_project.preparer.prepare(dbt_project)


def dbt_resource() -> DbtCliResource:
    """dagster-dbt's resource, for runs of a selection of dbt assets from the UI (a whole refresh
    runs dbt in process, dagster_project/dbt_in_process.py)."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(Path(_BIN) / "dbt"))
