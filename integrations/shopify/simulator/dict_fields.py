"""The field resolver every simulated answer uses: dicts carry their fields (a callable computes one);
a field our dicts do not carry is refused rather than silently null. Shared by the Admin GraphQL
endpoint and the bulk runner, which executes each line of a bulk operation the same way."""

from collections.abc import Mapping
from typing import Any

import graphql


def field_resolver(source: Any, info: graphql.GraphQLResolveInfo, **args: Any) -> Any:
    if isinstance(source, Mapping):
        if info.field_name not in source:
            raise graphql.GraphQLError(
                f"not simulated: {info.parent_type.name}.{info.field_name}", extensions={"code": "NOT_SIMULATED"}
            )
        value = source[info.field_name]
        return value(info, **args) if callable(value) else value
    return graphql.default_field_resolver(source, info, **args)
