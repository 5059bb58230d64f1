"""Reading the query's numbers (page numbers and the like): one parser, so a stale or hand-typed
``?page=abc`` or ``?page=-3`` shows the first page everywhere instead of an error on one page."""


def int_param(value: str | None, *, default: int = 1, minimum: int = 1) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return max(number, minimum)
