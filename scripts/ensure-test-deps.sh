#!/usr/bin/env bash
# Install what the browser and document tests need from Debian's packages: Chromium (driven by Playwright through
# its executable path — Playwright never downloads a browser here) and the Noto CJK fonts. Only as root; otherwise
# the browser tests skip with a message saying what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ] || need+=(fonts-noto-cjk)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "注意：缺少 ${need[*]}，非 root 用户无法自动安装；浏览器测试将跳过。" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
