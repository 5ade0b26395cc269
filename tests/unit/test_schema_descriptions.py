"""Every type, field, argument, input field and enum value of the schema says what it is.

The schema is the frontend's documentation (GraphiQL, codegen comments): an element without a
description is one the frontend has to guess about. Built-in scalars and introspection types
are graphql-core's and described there.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
)

from edxelera_gql.graphql.schema import build_schema

BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
# Shorter than this says nothing ("ID", "The x"): a description is at least a few words.
MIN_LENGTH = 8

Described = GraphQLNamedType | GraphQLField | GraphQLArgument | GraphQLInputField | GraphQLEnumValue


def _graphql_schema() -> GraphQLSchema:
    return build_schema()._schema


def _own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    return [
        t
        for name, t in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in BUILT_IN_SCALARS
    ]


def _elements(schema: GraphQLSchema) -> list[tuple[str, str, Described]]:
    """(kind, path, element) for every element that must be described. Unions, scalars and
    the rest have no members of their own: their type's description is all there is."""
    found: list[tuple[str, str, Described]] = []
    for named in _own_types(schema):
        found.append(("type", named.name, named))
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            kind = "interface field" if isinstance(named, GraphQLInterfaceType) else "field"
            for field_name, field in named.fields.items():
                found.append((kind, f"{named.name}.{field_name}", field))
                for arg_name, arg in field.args.items():
                    found.append(("argument", f"{named.name}.{field_name}({arg_name})", arg))
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                found.append(("input field", f"{named.name}.{field_name}", input_field))
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                found.append(("enum value", f"{named.name}.{value_name}", value))
    return found


def _problem(element: Described) -> str | None:
    description = element.description
    if description is None:
        return "no description"
    if len(description.strip()) < MIN_LENGTH:
        return f"too short: {description!r}"
    return None


def test_every_schema_element_is_described() -> None:
    missing = [
        f"{kind} {path}: {problem}"
        for kind, path, element in _elements(_graphql_schema())
        if (problem := _problem(element)) is not None
    ]
    assert missing == [], f"{len(missing)} schema elements lack a description:\n" + "\n".join(
        missing
    )


def test_the_walk_sees_the_whole_schema() -> None:
    """Guards the test above against walking nothing: every kind of element is present."""
    kinds = {kind for kind, _, _ in _elements(_graphql_schema())}
    assert {"type", "field", "interface field", "argument", "input field", "enum value"} <= kinds


def test_descriptions_do_not_point_outside_the_api() -> None:
    """Descriptions are read in GraphiQL and generated clients, far from this repository."""
    leaks = [
        path
        for _, path, element in _elements(_graphql_schema())
        if element.description
        and ("shared/" in element.description or ".md" in element.description)
    ]
    assert leaks == []
