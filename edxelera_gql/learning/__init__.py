"""Unlock rules, progress, program home, week hub and playback."""
