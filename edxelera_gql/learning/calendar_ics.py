"""A learner's schedule as an iCalendar document (RFC 5545), built with ``icalendar``.

Pure: read models in, bytes out. Every instant is written in UTC, so a client places it
correctly whatever daylight-saving change lies between now and then (the instants were
computed in the program's own time zone). UIDs are stable per program week and kind, so a
client that fetches the feed again replaces an event whose time changed instead of adding one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from edxelera_gql.catalog.read_models import ProgramFacts, WeekFacts

PRODID = "-//EdXelera//Learning schedule//EN"
RELEASE_LENGTH = timedelta(minutes=30)  # a marker the calendar can show, not a meeting


@dataclass(frozen=True)
class ProgramSchedule:
    program: ProgramFacts
    weeks: tuple[WeekFacts, ...]
    # Only enrolled students and staff see live-session links.
    show_live_links: bool


def _event(uid: str, summary: str, start: datetime, end: datetime, stamp: datetime,
           description: str = "", location: str | None = None) -> Event:  # fmt: skip
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    return event


def week_events(schedule: ProgramSchedule, *, domain: str, stamp: datetime) -> list[Event]:
    program = schedule.program
    events = []
    for week in schedule.weeks:
        uid = f"program-{program.id}-week-{week.number}"
        link = f"{program.title}, week {week.number}: {week.title}"
        events.append(
            _event(
                f"{uid}-release@{domain}",
                f"{program.title}: week {week.number} opens ({week.title})",
                week.release_at,
                week.release_at + RELEASE_LENGTH,
                stamp,
                description=link,
            )
        )
        if week.assignment is not None and week.deadline is not None:
            events.append(
                _event(
                    f"{uid}-deadline@{domain}",
                    f"{program.title}: {week.assignment.title} due",
                    week.deadline,
                    week.deadline,
                    stamp,
                    description=f"The assignment of {link}",
                )
            )
        if week.live_start is not None and week.live_end is not None:
            url = week.live_url if schedule.show_live_links else None
            events.append(
                _event(
                    f"{uid}-live@{domain}",
                    f"{program.title}: {week.live_title or week.title} (live)",
                    week.live_start,
                    week.live_end,
                    stamp,
                    description=link,
                    location=url,
                )
            )
    return events


def calendar_document(
    schedules: Iterable[ProgramSchedule], *, name: str, domain: str, stamp: datetime
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    # Clients that honour it poll hourly; the feed is computed on each fetch.
    calendar.add("refresh-interval;value=duration", "PT1H")
    for schedule in schedules:
        for event in week_events(schedule, domain=domain, stamp=stamp):
            calendar.add_component(event)
    return calendar.to_ical()
