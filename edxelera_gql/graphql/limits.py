"""Query cost budget: every selected field costs 1, connection fields multiply by ``first``.

Depth, token and alias limits come from Strawberry's own extensions; this adds the cost rule
that docs/api-guide.md describes, evaluated on the document before anything executes.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
)

from edxelera_gql.graphql.connections import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


def _page_argument(node: FieldNode, field_def: Any) -> int | None:
    if field_def is None or "first" not in field_def.args:
        return None
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, min(int(argument.value.value), MAX_PAGE_SIZE))
            return MAX_PAGE_SIZE  # a variable: assume the worst
    default = field_def.args["first"].default_value
    return default if isinstance(default, int) else DEFAULT_PAGE_SIZE


def cost_limit_rule(max_cost: int) -> type[ValidationRule]:
    # Long because it holds the rule class itself: graphql-core instantiates rules per
    # validation, so the limit reaches the class through this closure.
    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = {
                "query": schema.query_type,
                "mutation": schema.mutation_type,
                "subscription": schema.subscription_type,
            }[node.operation.value]
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            cost = self._cost(node.selection_set, root, fragments, 1, frozenset())
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"Query cost {cost} exceeds the limit of {max_cost}; "
                        "ask for fewer items or fewer fields.",
                        node,
                        extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "limit": max_cost},
                    )
                )

        def _cost(
            self,
            selection_set: SelectionSetNode | None,
            parent: Any,
            fragments: dict[str, FragmentDefinitionNode],
            multiplier: int,
            seen: frozenset[str],
        ) -> int:
            if selection_set is None or parent is None:
                return 0
            total = 0
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    # Object and interface types have fields; unions and scalars do not.
                    fields = getattr(parent, "fields", None) or {}
                    field_def = fields.get(selection.name.value)
                    total += multiplier
                    if field_def is not None and selection.selection_set is not None:
                        page = _page_argument(selection, field_def) or 1
                        child = get_named_type(field_def.type)
                        total += self._cost(
                            selection.selection_set, child, fragments, multiplier * page, seen
                        )
                elif isinstance(selection, InlineFragmentNode):
                    target = parent
                    if selection.type_condition is not None:
                        target = self.context.schema.get_type(selection.type_condition.name.value)
                    total += self._cost(
                        selection.selection_set, target, fragments, multiplier, seen
                    )
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = fragments.get(name)
                    if fragment is None or name in seen:
                        continue  # unknown or cyclic spreads are reported by other rules
                    target = self.context.schema.get_type(fragment.type_condition.name.value)
                    total += self._cost(
                        fragment.selection_set, target, fragments, multiplier, seen | {name}
                    )
            return total

    return CostLimit
