"""What meetings add to the public stats endpoint: meetings held, ballots, questions, attendance as participants."""

from __future__ import annotations

from dianti.core import ratelimit, stats
from dianti.meetings import services

from .factories import held, vote


def _stats(client, org: str) -> dict:
    response = client.get("/api/v1/stats", {"org": org})
    assert response.status_code == 200
    return response.json()


def test_stats_count_closed_meetings_ballots_questions_and_attendance(tree, users, client):
    h = held(tree)
    before = _stats(client, "330424105")
    assert (before["meetings"], before["ballots"], before["questions"]) == (0, 0, 0)
    vote(h, h.codes["党员代表"][0], "好", "较好")
    vote(h, h.codes["党员代表"][1], "差")
    services.question_ask(meeting=h.meeting, text="书记，路灯什么时候修？", device_hash=ratelimit.digest("a"))
    services.attendance_sign_in(meeting=h.meeting, name="王大伯", role="党员", device_hash=ratelimit.digest("a"))
    services.attendance_add(actor=None, meeting=h.meeting, names=["李四", "王五"])
    open_ = _stats(client, "330424105")
    assert (open_["meetings"], open_["ballots"], open_["questions"]) == (0, 3, 1)  # held means closed
    assert open_["participants"] == before["participants"] + 3
    services.meeting_close(actor=None, meeting=h.meeting)
    for org in ("330424105", "330424"):
        assert _stats(client, org)["meetings"] == 1
    other = _stats(client, "330424104")
    assert (other["meetings"], other["ballots"], other["questions"]) == (0, 0, 0)
    assert other["participants"] == 0


def test_stats_keys_include_the_meeting_counts(db):
    assert {"meetings", "ballots", "questions", "participants"} <= set(stats.keys())


def test_attendance_recorded_by_count_counts_every_head(tree):
    from dianti.core.figures import Grouping
    from dianti.meetings import services, stats

    from .factories import held

    h = held(tree)
    services.attendance_add(actor=None, meeting=h.meeting, names=["李四"], unnamed=5)
    path = h.meeting.org_path
    assert stats.attendance(Grouping(path, len(path), years=False)) == [(path, 0, "", 6)]
