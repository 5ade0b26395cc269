"""Learner emails: the scan that turns the program calendar into outbox rows, the templates,
the sender (SMTP through ``aiosmtplib``) and the learners' per-kind opt-outs.

Rows of the events that have a transaction of their own (an enrollment activated, a
certificate issued) are written there, through ``db.outbox``; the calendar's events (a week
released, an assignment due tomorrow) are found by ``scan``.
"""
