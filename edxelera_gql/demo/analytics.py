"""The paid demo program: Data Analytics, three courses over its weeks."""

from __future__ import annotations

from edxelera_gql.demo.shapes import Lesson as _Lesson
from edxelera_gql.demo.shapes import Week as _Week

ANALYTICS_COURSES = (
    ("demo-da-spreadsheets", "Spreadsheets for Analysis", "Clean, shape and summarise data."),
    ("demo-da-sql", "SQL for Analysts", "Ask questions of relational data with SQL."),
    (
        "demo-da-dashboards",
        "Dashboards and Data Storytelling",
        "Turn analysis into dashboards people use.",
    ),
)
_SS, _SQL, _DB = (c[0] for c in ANALYTICS_COURSES)
ANALYTICS_WEEKS = (
    _Week(
        "Thinking like an analyst",
        "Your analyst profile",
        "Describe a decision at your workplace that data could improve, in 300 words.",
        "text",
        "Kick-off call",
        (
            _Lesson(
                _SS,
                "what-analysts-do",
                "What analysts do",
                "The questions, the data, the answer.",
                9,
                video=True,
            ),
            _Lesson(
                _SQL,
                "why-sql",
                "Why SQL?",
                "Where SQL sits among the analyst's tools.",
                7,
                video=True,
            ),
            _Lesson(
                _DB,
                "what-makes-a-good-chart",
                "What makes a good chart",
                "Clarity before decoration.",
                11,
            ),
        ),
    ),
    _Week(
        "Cleaning and shaping data",
        "Clean the sales sheet",
        "Clean the provided sales sheet and share a link to your copy.",
        "url",
        "Data-cleaning clinic",
        (
            _Lesson(
                _SS,
                "cleaning-messy-data",
                "Cleaning messy data",
                "Duplicates, blanks and inconsistent labels.",
                14,
                video=True,
                prerequisites=("what-analysts-do",),
            ),
            _Lesson(
                _SQL,
                "select-and-filter",
                "SELECT and WHERE",
                "Picking the rows and columns you need.",
                12,
                video=True,
                prerequisites=("why-sql",),
            ),
        ),
    ),
    _Week(
        "Summaries that answer questions",
        "Monthly revenue summary",
        "Upload a workbook with a pivot table and the matching GROUP BY query.",
        "file",
        "Office hours: summaries",
        (
            _Lesson(
                _SS,
                "pivot-tables",
                "Pivot tables",
                "Summaries in a few clicks.",
                13,
                prerequisites=("cleaning-messy-data",),
            ),
            _Lesson(
                _SQL,
                "group-by-and-aggregates",
                "GROUP BY and aggregates",
                "Counting, summing and averaging by group.",
                15,
                video=True,
                prerequisites=("select-and-filter",),
            ),
            _Lesson(
                _DB,
                "choosing-the-right-chart",
                "Choosing the right chart",
                "Comparison, trend, share or distribution?",
                10,
                prerequisites=("what-makes-a-good-chart",),
            ),
        ),
    ),
    _Week(
        "Joining data together",
        "Customer orders report",
        "Write the queries that join customers to orders and paste them with your findings.",
        "text",
        "Live SQL walkthrough",
        (
            _Lesson(
                _SQL,
                "joins",
                "Joins",
                "Inner, left and the rows you lose.",
                18,
                video=True,
                prerequisites=("group-by-and-aggregates",),
            ),
            _Lesson(
                _SS,
                "lookups",
                "Lookups with XLOOKUP",
                "Bringing columns together across sheets.",
                11,
                prerequisites=("pivot-tables",),
            ),
        ),
    ),
    _Week(
        "From numbers to dashboards",
        "Your first dashboard",
        "Publish a dashboard of the sales data and share its link.",
        "url",
        "Dashboard reviews",
        (
            _Lesson(
                _DB,
                "first-dashboard",
                "Building your first dashboard",
                "Layout, KPIs and a clear headline.",
                16,
                prerequisites=("choosing-the-right-chart", f"{_SQL}/joins"),
            ),
            _Lesson(
                _DB,
                "filters-and-interactivity",
                "Filters and interactivity",
                "Let readers ask their own questions.",
                12,
                prerequisites=("first-dashboard",),
            ),
            _Lesson(
                _SQL,
                "window-functions",
                "Window functions",
                "Running totals and rankings.",
                17,
                prerequisites=("joins",),
            ),
        ),
    ),
    _Week(
        "Telling the story",
        "Capstone presentation",
        "Upload a five-slide deck presenting one insight and the decision it supports.",
        "file",
        "Capstone demo day",
        (
            _Lesson(
                _DB,
                "presenting-insights",
                "Presenting insights",
                "From chart to recommendation.",
                14,
                video=True,
                prerequisites=("filters-and-interactivity",),
            ),
            _Lesson(
                _SS,
                "forecasting-basics",
                "Forecasting basics",
                "Trends, seasonality and honest ranges.",
                15,
                prerequisites=("lookups",),
            ),
        ),
    ),
)
