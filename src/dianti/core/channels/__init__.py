"""Outbound channels: one adapter per provider behind :class:`dianti.core.notify.Channel`."""
