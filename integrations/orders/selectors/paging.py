"""Page arithmetic shared by every paged read (the orders list, the preview): one page of
``per_page`` rows out of ``total``, numbered from 1, the number clamped into range."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageWindow:
    number: int
    total: int
    per_page: int

    @classmethod
    def clamp(cls, *, page: int, total: int, per_page: int) -> "PageWindow":
        pages = max(1, -(-total // per_page))
        return cls(number=min(max(page, 1), pages), total=total, per_page=per_page)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def first_index(self, shown: int) -> int:
        return self.offset + 1 if shown else 0

    def last_index(self, shown: int) -> int:
        return self.offset + shown


class PagedRows:
    """What a page of rows says about itself, read from its ``window`` and its ``rows`` (a frozen
    dataclass with both fields mixes this in: the orders list, the preview's pending changes)."""

    rows: list
    window: PageWindow

    number = property(lambda self: self.window.number)
    total = property(lambda self: self.window.total)
    per_page = property(lambda self: self.window.per_page)
    pages = property(lambda self: self.window.pages)
    has_previous = property(lambda self: self.window.has_previous)
    has_next = property(lambda self: self.window.has_next)
    first_index = property(lambda self: self.window.first_index(len(self.rows)))
    last_index = property(lambda self: self.window.last_index(len(self.rows)))
