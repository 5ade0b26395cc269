"""What runs on its own, and how often: one table for the job worker and the in-process
scheduler alike."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scheduled:
    job: str  # a key of tasks.TASKS
    every_minutes: int  # divides 60: the worker runs it at those minutes past each hour


SCHEDULE = (
    # Pending payments 15 minutes after checkout, and again with backoff (enrollment.rules).
    Scheduled("reconcile_payments", every_minutes=1),
    # Uploaded videos become playable without anyone running `videos sync`.
    Scheduled("videos_sync", every_minutes=5),
    # Learner emails: the calendar's events (in each program's time zone) into the outbox,
    # and the outbox out through SMTP. Every minute, so a 09:00 release mails at 09:00.
    Scheduled("notifications_scan", every_minutes=1),
    Scheduled("notifications_send", every_minutes=1),
)
