from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dianti.core import retention


class Command(BaseCommand):
    help = ("按保存期限清理个人信息：匿名提交者的设备标识（意见、关心、群众观察、会场提问与签到）满 "
            "DIANTI_RETENTION_DAYS 天（默认 180）后抹去；导入的表格和导出的文件满 DIANTI_RETENTION_JOB_FILES_DAYS 天"
            "（默认 30）后删除。每天由每日例行处理自动运行（见 dianti daily），`dianti remind` 也会顺带运行。")

    def handle(self, *args: Any, **options: Any) -> None:
        done = retention.sweep()
        labels = {"opinion_devices": "意见的设备标识", "support_devices": "“我也关心”的设备标识",
                  "observation_devices": "群众观察的设备标识", "hall_devices": "会场提问、同问与签到的设备标识",
                  "support_phones": "“我也关心”的手机号标识", "phone_codes": "短信验证码记录",
                  "sessions": "已过期的登录与访问会话", "job_files": "过期的导入导出文件"}
        for key, n in done.items():
            self.stdout.write(f"{labels.get(key, key)}：{n}")

