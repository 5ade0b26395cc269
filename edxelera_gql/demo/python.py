"""The free demo program: Python Foundations."""

from __future__ import annotations

from edxelera_gql.demo.shapes import Lesson as _Lesson
from edxelera_gql.demo.shapes import Week as _Week

PYTHON_COURSES = (
    ("demo-py-basics", "Python Basics", "Variables, decisions, loops and functions."),
    (
        "demo-py-data",
        "Working with Data in Python",
        "Lists, files, CSV and a first look at pandas.",
    ),
    ("demo-py-projects", "Small Python Projects", "Short projects that put the basics to work."),
)
_PB, _PD, _PP = (c[0] for c in PYTHON_COURSES)
PYTHON_WEEKS = (
    _Week(
        "Hello, Python",
        "Say hello",
        "Paste a program that asks for your name and greets you.",
        "text",
        "Welcome session",
        (
            _Lesson(
                _PB,
                "installing-python",
                "Installing Python",
                "Python and an editor on your machine.",
                8,
                video=True,
            ),
            _Lesson(
                _PB,
                "variables-and-types",
                "Variables and types",
                "Numbers, strings and booleans.",
                12,
                video=True,
                prerequisites=("installing-python",),
            ),
            _Lesson(
                _PD,
                "what-is-a-dataset",
                "What is a dataset?",
                "Rows, columns and where data comes from.",
                6,
            ),
        ),
    ),
    _Week(
        "Making decisions",
        "Grade calculator",
        "Share a link to a program that turns a score into a letter grade.",
        "url",
        "Live coding: conditionals",
        (
            _Lesson(
                _PB,
                "conditionals",
                "if, elif and else",
                "Choosing what runs.",
                11,
                video=True,
                prerequisites=("variables-and-types",),
            ),
            _Lesson(
                _PB,
                "loops",
                "Loops",
                "for, while and when to stop.",
                13,
                prerequisites=("conditionals",),
            ),
            _Lesson(
                _PP,
                "number-guessing-game",
                "A number-guessing game",
                "Your first complete program.",
                15,
                prerequisites=(f"{_PB}/conditionals",),
            ),
        ),
    ),
    _Week(
        "Functions",
        "Refactor with functions",
        "Rewrite last week's grade calculator using functions and paste it here.",
        "text",
        "Office hours: functions",
        (
            _Lesson(
                _PB,
                "functions",
                "Functions",
                "Naming a piece of work and reusing it.",
                14,
                video=True,
                prerequisites=("loops",),
            ),
            _Lesson(
                _PD,
                "lists-and-dicts",
                "Lists and dictionaries",
                "Holding many values at once.",
                12,
                prerequisites=("what-is-a-dataset", f"{_PB}/loops"),
            ),
        ),
    ),
    _Week(
        "Files and data",
        "Clean a CSV file",
        "Upload your script and the cleaned CSV file.",
        "file",
        "Live coding: CSV files",
        (
            _Lesson(
                _PD,
                "reading-csv-files",
                "Reading CSV files",
                "The csv module, row by row.",
                13,
                video=True,
                prerequisites=("lists-and-dicts",),
            ),
            _Lesson(
                _PD,
                "cleaning-with-python",
                "Cleaning data with Python",
                "Trimming, converting and skipping bad rows.",
                14,
                prerequisites=("reading-csv-files",),
            ),
        ),
    ),
    _Week(
        "Libraries",
        "Expense tracker",
        "Share a link to your expense tracker repository.",
        "url",
        "Project check-in",
        (
            _Lesson(
                _PD,
                "intro-to-pandas",
                "A first look at pandas",
                "DataFrames for tables of data.",
                16,
                video=True,
                prerequisites=("cleaning-with-python",),
            ),
            _Lesson(
                _PP,
                "expense-tracker",
                "An expense tracker",
                "Read, total and report your spending.",
                18,
                prerequisites=(f"{_PB}/functions", f"{_PD}/reading-csv-files"),
            ),
        ),
    ),
    _Week(
        "Putting it together",
        "Final project",
        "Upload your weather-report project as a zip file.",
        "file",
        "Demo day",
        (
            _Lesson(
                _PP,
                "weather-report",
                "A weather report",
                "Load a dataset, summarise it, print a report.",
                20,
                video=True,
                prerequisites=("expense-tracker", f"{_PD}/intro-to-pandas"),
            ),
            _Lesson(
                _PB,
                "where-to-go-next",
                "Where to go next",
                "Paths after the basics.",
                6,
                prerequisites=("functions",),
            ),
        ),
    ),
)
