"""The e2e catalogue that scripts/test.sh starts before the session: adopted when it is done,
its log when it failed, and stopped (its whole process group) when the session ends first.

No model and no server: these run with the tests that need neither.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.e2e.catalogue import AdoptedCatalogue


def test_a_finished_preparation_is_adopted(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "exit-code").write_text("0")
    assert AdoptedCatalogue(tmp_path).wait() == tmp_path / "home"


def test_a_failed_preparation_fails_with_its_log(tmp_path):
    (tmp_path / "ingest.log").write_text("Fout: data/praktijken/x.md: veld 'region' ontbreekt\n")
    (tmp_path / "exit-code").write_text("1")
    with pytest.raises(RuntimeError, match="veld 'region' ontbreekt"):
        AdoptedCatalogue(tmp_path).wait()


def test_an_unfinished_preparation_is_stopped_with_its_group_and_removed(tmp_path):
    # A stand-in for `python -m tests.e2e.catalogue`: a group leader with a child, both sleeping.
    leader = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                               "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
                               "time.sleep(600)"], start_new_session=True)
    try:
        (tmp_path / "pgid").write_text(str(leader.pid))
        AdoptedCatalogue(tmp_path).stop()
        assert leader.wait(timeout=60) != 0  # a safety net, not a timing
        assert not tmp_path.exists()
        deadline = time.monotonic() + 60
        while _group_alive(leader.pid):  # the child goes with its leader
            assert time.monotonic() < deadline, "the child of the stopped preparation still runs"
            time.sleep(0.1)
    finally:
        if leader.poll() is None:
            leader.kill()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
