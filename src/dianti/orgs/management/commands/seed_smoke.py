from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dianti.orgs import smoke


class Command(BaseCommand):
    help = ("为生产环境冒烟测试建立最小数据（一个县、一个镇、两个村和办理一轮述职所需的账号），经由各项服务写入；"
            "以 JSON 输出组织编码和账号的随机密码。数据库中已有该县时拒绝运行。")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seeded = smoke.seed()
        except smoke.AlreadySeeded as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(seeded, ensure_ascii=False))
