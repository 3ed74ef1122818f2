from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dianti.core import crypto
from dianti.core.crypto_migrations import reencrypting, rewrite


class Command(BaseCommand):
    help = ("更换个人信息加密密钥：新密钥设为 DIANTI_DATA_KEY，旧密钥设为 DIANTI_DATA_KEY_OLD，运行本命令把所有加密字段"
            "改用新密钥加密并重算检索哈希；完成后即可去掉 DIANTI_DATA_KEY_OLD。")

    def handle(self, *args: Any, **options: Any) -> None:
        if not crypto.old_master_keys():
            self.stdout.write("未设置 DIANTI_DATA_KEY_OLD：按当前密钥重新加密并重算检索哈希。")
        try:
            with transaction.atomic():
                for model in apps.get_models():
                    fields = model._meta.concrete_fields
                    for f in fields:
                        if not isinstance(f, crypto.EncryptedCharField):
                            continue
                        hashes = {h.column: crypto.SearchHashField.HASHERS[h.kind] for h in fields
                                  if isinstance(h, crypto.SearchHashField) and h.source == f.name}
                        n = rewrite(connection, model._meta.db_table, f.column, hashes, reencrypting)
                        self.stdout.write(f"{model._meta.label}.{f.name}：{n} 行")
        except crypto.DataKeyError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("已全部改用新密钥；可以去掉 DIANTI_DATA_KEY_OLD 了。"))
