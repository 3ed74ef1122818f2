"""Importing offline opinions: all rows or none, every bad row named, GBK files read."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from dianti.core.models import Job
from dianti.voices import importers
from dianti.voices.models import Opinion


def _run(upload, actor):
    """Submit the import and run the job as the commit would."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        job = importers.opinions_import_submit(actor=actor, upload=upload)
    job.refresh_from_db()
    return job


def _csv(rows: list[str], encoding: str = "utf-8") -> SimpleUploadedFile:
    body = "\n".join(["组织编码,渠道,意见内容,标题,接触人次,反映人,手机号", *rows])
    return SimpleUploadedFile("opinions.csv", body.encode(encoding), content_type="text/csv")


def test_a_gbk_spreadsheet_imports_every_row(tree, users):
    job = _run(actor=users.town_admin, upload=_csv([
        "330424105201,走访,三组路灯坏了好几盏晚上很黑,路灯,12,,",
        "330424105202,座谈,老年食堂希望增加晚餐,老年食堂,20,王阿姨,13900001111",
    ], encoding="gbk"))
    assert job.status == Job.Status.DONE, job.message
    assert Opinion.objects.count() == 2
    assert sorted(Opinion.objects.values_list("people_met", flat=True)) == [12, 20]


def test_a_bad_file_reports_every_bad_row_and_writes_nothing(tree, users):
    job = _run(actor=users.town_admin, upload=_csv([
        "330424105201,走访,三组路灯坏了好几盏晚上很黑,路灯,12,,",
        "999,走访,找不到的组织的意见内容,,1,,",
        "330424105201,微博,渠道不对的意见内容,,1,,",
        "330424105201,走访,短,,1,,",
        "330424104201,走访,别的镇的村子的意见,,1,,",
        "330424105201,座谈,人次不是数字的意见内容,,很多,,",
    ]))
    assert job.status == Job.Status.FAILED and "未导入任何数据" in job.message
    problems = {(e["row"], e["column"]) for e in job.result["errors"]}
    assert problems == {(3, "组织编码"), (4, "渠道"), (5, "意见内容"), (6, "组织编码"), (7, "接触人次")}
    assert not Opinion.objects.exists()


def test_missing_columns_are_named(tree, users):
    upload = SimpleUploadedFile("x.csv", "组织编码,意见\n330424105201,路灯坏了好几个月".encode(), content_type="text/csv")
    job = _run(actor=users.town_admin, upload=upload)
    assert job.status == Job.Status.FAILED and "渠道" in job.message and "意见内容" in job.message
