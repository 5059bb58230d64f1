"""Calculated query cost, by Shopify's published rules.

Scalars and enums cost 0, objects 1, a connection 2 plus its page size (``first``/``last``) times the
cost of one item, a mutation 10; a single query may cost at most 1000. The requested cost assumes
full pages; the actual cost counts the items returned, and the difference is refunded.
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
"""

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_BASE_COST = 2


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _fields(self, parent: Any, selection_set: SelectionSetNode | None):
        """(field node, field definition) pairs, fragments expanded onto their type condition."""
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                if selection.name.value in fields:
                    yield selection, fields[selection.name.value]
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    self.schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
                )
                yield from self._fields(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    yield from self._fields(target, fragment.selection_set)

    def _argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return int(value.value)
            if isinstance(value, VariableNode):
                raw = self.variables.get(value.name.value)
                return int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        return None

    def selection_cost(self, parent: Any, selection_set: SelectionSetNode | None, data: Any = None) -> int:
        total = 0
        for node, definition in self._fields(parent, selection_set):
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            total += self.field_cost(node, definition, value)
        return total

    def field_cost(self, node: FieldNode, definition: Any, data: Any = None) -> int:
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if named.name.endswith("Connection") and ("first" in definition.args or "last" in definition.args):
            return self._connection_cost(node, named, data)
        return 1 + self.selection_cost(named, node.selection_set, data if isinstance(data, dict) else None)

    def _connection_cost(self, node: FieldNode, connection: Any, data: Any) -> int:
        page = self._argument(node, "first") or self._argument(node, "last") or 0
        if isinstance(data, dict):
            items = data.get("nodes") or data.get("edges")
            if isinstance(items, list):
                page = len(items)
        per_item = 0
        for child, definition in self._fields(connection, node.selection_set):
            if child.name.value == "nodes":
                per_item += 1 + self.selection_cost(get_named_type(definition.type), child.selection_set)
            elif child.name.value == "edges":
                edge_type = get_named_type(definition.type)
                for edge_child, edge_definition in self._fields(edge_type, child.selection_set):
                    if edge_child.name.value == "node":
                        item_type = get_named_type(edge_definition.type)
                        per_item += 1 + self.selection_cost(item_type, edge_child.selection_set)
        return CONNECTION_BASE_COST + page * per_item


def _fragments(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def query_cost(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> int:
    """The requested cost of ``operation`` (or, given its ``data``, the actual cost)."""
    walker = _Walker(schema, _fragments(document), variables)
    if operation.operation == OperationType.MUTATION:
        root: GraphQLObjectType = schema.mutation_type
        return sum(MUTATION_COST for node, _definition in walker._fields(root, operation.selection_set))
    root = schema.query_type
    return walker.selection_cost(root, operation.selection_set, data)
