"""A server worker killed (SIGKILL) in the middle of an evaluators' storm loses no acknowledged ballot and stores
none twice, even when the phones whose POST died retry: `dianti bench ballots_crash`, bounded, on loopback."""

from __future__ import annotations

import pytest

from dianti.bench.ballots_crash import bench_ballots_crash

pytestmark = pytest.mark.storm


def test_killing_a_worker_mid_storm_loses_and_duplicates_nothing() -> None:
    result = bench_ballots_crash({"evaluators": 200, "subjects": 2, "concurrency": 40})
    assert len(result["killed"]) == 1, "a worker was killed while ballots were in flight"
    assert result["still_failed"] == 0  # every phone got its ballot in, at the latest on its retry
    assert result["acknowledged"] == result["stored"] == 200 * 2
    assert (result["lost"], result["duplicates"], result["wrong"]) == (0, 0, 0)
