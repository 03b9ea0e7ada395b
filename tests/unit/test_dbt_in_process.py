"""dagster_project/dbt_in_process.py uses dagster-dbt and dbt below their public API. These checks
fail loudly when an upgrade changes what it relies on; elsewhere only public names are used."""

import inspect
import re
import subprocess

from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner
from dbt_common.events.functions import msg_to_dict

from tests.conftest import ROOT


def test_the_internals_the_in_process_dbt_run_uses_are_still_there():
    assert list(inspect.signature(get_manifest_and_translator_from_dbt_assets).parameters) == ["dbt_assets"]
    assert {"raw_event", "event_history_metadata"} <= set(inspect.signature(DbtCoreCliEventMessage).parameters)
    convert = inspect.signature(DbtCoreCliEventMessage.to_default_asset_events).parameters
    assert {"manifest", "dagster_dbt_translator", "context", "project"} <= set(convert)
    assert "callbacks" in inspect.signature(dbtRunner).parameters and callable(msg_to_dict)
    assert callable(DuckDBConnectionManager.close_all_connections)


def test_no_private_dagster_or_dbt_name_outside_the_one_module():
    """No override or use of an underscore name of dagster, dagster-dbt or dbt in the project."""
    found = subprocess.run(
        [
            "git",
            "grep",
            "-nE",
            r"(dagster|dbt)[a-z_]*(\.[a-z_]+)*\._[a-z]|_cli_version|_initialize_dbt_core_adapter",
            "--",
            "*.py",
            ":!tests/unit/test_dbt_in_process.py",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    assert [line for line in found.splitlines() if not re.search(r"\b_\w+\s*=", line)] == []
