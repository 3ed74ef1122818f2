"""`dianti audit verify [--sink FILE]`: check the audit log's hash chain and report OK or the first broken link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti.core import audit


class Command(BaseCommand):
    help = "Audit log tools. `verify`: walk the hash chain; exit 1 and name the first record that no longer holds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain (and an external sink file, if given)")
        verify.add_argument("--sink", default=None,
                            help="a file the external sink wrote; defaults to DIANTI_AUDIT_SINK when that is a file")

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = audit.verify()
        if broken is not None:
            raise CommandError(f"审计链断裂（已核对 {count} 条）：{broken}")
        sink = options.get("sink")
        if sink is None:
            configured = getattr(settings, "DIANTI_AUDIT_SINK", "")
            sink = configured if configured and not configured.startswith("syslog") else None
        if sink:
            mismatch = audit.verify_sink(sink)
            if mismatch is not None:
                raise CommandError(f"审计日志与外部副本不符：{mismatch}")
        self.stdout.write(f"OK：审计链完整，共 {count} 条记录" + (f"，与外部副本 {sink} 一致" if sink else ""))
