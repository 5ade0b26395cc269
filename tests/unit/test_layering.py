"""The structure the README promises: no import cycles between the packages, units small
enough to read, domains free of GraphQL, one exception for expected failures.

`make lint` checks the finer layering with import-linter (pyproject.toml); this test keeps the
basic promises visible in the suite and prints the numbers the consolidation is judged by.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[2] / "edxelera_gql"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# A longer function says why within its first lines, e.g. "# Long because ...".
REASON = "long because"


def _top_level_units() -> list[str]:
    graph = grimp.build_graph("edxelera_gql")
    return sorted({".".join(m.split(".")[:2]) for m in graph.modules if m.count(".") >= 1})


def _package_cycles() -> list[list[str]]:
    graph = grimp.build_graph("edxelera_gql")
    units = _top_level_units()
    edges = {
        a: {
            b
            for b in units
            if a != b and graph.direct_import_exists(importer=a, imported=b, as_packages=True)
        }
        for a in units
    }
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for unit in units:
        if unit not in index:
            visit(unit)
    return cycles


def test_no_import_cycles_between_packages() -> None:
    assert _package_cycles() == []


def _sources() -> list[tuple[Path, str]]:
    return [(p, p.read_text()) for p in sorted(PACKAGE.rglob("*.py"))]


def test_no_module_over_the_limit() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p, text in _sources()
        if (n := len(text.splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_long_functions_say_why() -> None:
    unexplained = []
    for path, text in _sources():
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length <= MAX_FUNCTION_LINES:
                continue
            head = "\n".join(lines[node.lineno - 1 : node.body[0].lineno + 3]).lower()
            if REASON not in head:
                unexplained.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert unexplained == []


def test_domains_do_not_import_graphql() -> None:
    domains = ("auth", "catalog", "certificates", "discussion", "enrollment", "learning")
    offenders = [
        str(p.relative_to(PACKAGE))
        for p, text in _sources()
        if p.relative_to(PACKAGE).parts[0] in domains and "strawberry" in text
    ]
    assert offenders == []


# Exceptions other than DomainError, and why each is not an expected failure of the domain.
INTERNAL_EXCEPTIONS = {
    # Token verification detail, logged; the view answers 401 TOKEN_EXPIRED / INVALID_TOKEN.
    "auth/tokens.py:InvalidToken",
    # A request refused by the HTTP layer before GraphQL runs (bad JSON, GET mutation, token),
    # answered with its own status code.
    "graphql/operations.py:RequestError",
    # Transport failures of the Paystack client; services translate them to DomainError.
    "enrollment/paystack.py:PaystackRejected",
    "enrollment/paystack.py:PaystackUnavailable",
    # Object storage unreachable; delivery reports it as SERVICE_UNAVAILABLE.
    "infra/storage.py:StorageUnavailable",
    # Control flow inside the body-limit middleware, answered as HTTP 413.
    "infra/http.py:_BodyTooLarge",
    # A deployment's configuration refused at startup: an operator's error, not a user's.
    "settings.py:SettingsError",
}


def test_one_exception_type_for_expected_failures() -> None:
    """Every expected failure is a ``DomainError`` (subclasses only add detail, as the content
    format's ``ContentRejected`` adds its list of problems)."""
    defined = {
        f"{p.relative_to(PACKAGE)}:{node.name}": {
            getattr(b, "id", getattr(b, "attr", "")) for b in node.bases
        }
        for p, text in _sources()
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.ClassDef)
    }
    exceptions = {
        name
        for name, bases in defined.items()
        if any(b.endswith(("Error", "Exception")) for b in bases)
    }
    domain = {name for name in exceptions if defined[name] == {"DomainError"}}
    assert exceptions - domain - {"errors.py:DomainError"} == INTERNAL_EXCEPTIONS
    assert domain == {"catalog/content/problems.py:ContentRejected"}
