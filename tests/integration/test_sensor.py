"""The landing-folder sensor asks for a refresh when there is content the warehouse has not
extracted, or a loaded file has gone; by content hash, so touching a file starts nothing."""

import os
import shutil

import dagster as dg
import pytest

from tests.conftest import SAMPLES, run_ogi


@pytest.fixture
def folders(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("OGI_LANDING", str(landing))
    monkeypatch.setenv("OGI_WAREHOUSE", str(warehouse))
    return landing, warehouse


def _tick(cursor=None):
    from dagster_project.defs.automation import landing_folder_sensor

    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, cursor=cursor)
        result = landing_folder_sensor(context)
        return result, context.cursor


def test_sensor_requests_a_refresh_for_new_or_changed_content_only(folders):
    landing, warehouse = folders
    shutil.copy(SAMPLES / "000_7e78f6154f3411bd.txt", landing)

    first, cursor = _tick()  # nothing loaded yet
    assert isinstance(first, dg.RunRequest) and first.tags["ogi/new_reports"] == "1"
    again, _ = _tick(cursor)  # the same pending work is not requested twice
    assert isinstance(again, dg.SkipReason)

    done = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse))
    assert done.returncode == 0, done.stderr[-2000:]
    quiet, _ = _tick(cursor)
    assert isinstance(quiet, dg.SkipReason) and "nothing new" in quiet.skip_message

    report = landing / "000_7e78f6154f3411bd.txt"
    os.utime(report, ns=(report.stat().st_atime_ns, report.stat().st_mtime_ns + 10**9))  # touched only
    shutil.copy(report, landing / "copy-of-000.txt")  # a known report under another name
    touched, _ = _tick(cursor)
    assert isinstance(touched, dg.SkipReason)

    shutil.copy(SAMPLES / "004_8146d103d9127068.txt", landing)
    new, cursor = _tick(cursor)
    assert isinstance(new, dg.RunRequest) and new.tags["ogi/new_reports"] == "1"

    with report.open("a", encoding="utf-8") as f:  # new content under the same name
        f.write("\n附：本报告数据截至12月31日。\n")
    changed, cursor = _tick(cursor)
    assert isinstance(changed, dg.RunRequest) and changed.tags["ogi/new_reports"] == "2"

    done = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse))
    assert done.returncode == 0, done.stderr[-2000:]
    (landing / "004_8146d103d9127068.txt").unlink()
    gone, _ = _tick(cursor)
    assert isinstance(gone, dg.RunRequest) and gone.tags["ogi/files_gone"] == "1"
