"""The drills' table, then what each drill did and what went wrong, if anything."""

from dataclasses import dataclass

from drills.drill import Drill
from drills.tally import Tally


@dataclass
class DrillResult:
    drill: Drill
    seconds: float
    tally: Tally | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        if self.error or self.tally is None or not self.tally.ok:
            return False
        return not self.drill.every_order_pushed or self.tally.pushed_once == self.tally.expected


COLUMNS = ("drill", "expected", "pushed once", "duplicated", "lost", "attention", "refused", "seconds", "result")


def table(results: list[DrillResult], *, total_seconds: float) -> str:
    rows = [COLUMNS]
    for result in results:
        tally, title = result.tally, f"{result.drill.number} {result.drill.title}"
        figures = (
            [tally.expected, tally.pushed_once, tally.duplicated, tally.lost, tally.attention] if tally else ["-"] * 5
        )
        refused = f"{tally.refused}/{tally.refusals_expected}" if tally and tally.refused is not None else "-"
        result_text = "ok" if result.ok else ("ERROR" if result.error else "FAILED")
        rows.append((title, *figures, refused, f"{result.seconds:.0f}", result_text))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(rows):
        cells = [str(cell).ljust(widths[0]) if i == 0 else str(cell).rjust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    passed = sum(r.ok for r in results)
    lines.append(f"{passed}/{len(results)} drills passed; total {total_seconds:.0f} s ({total_seconds / 60:.1f} min)")
    return "\n".join(lines)


def details(results: list[DrillResult]) -> str:
    out = []
    for result in results:
        out.append(f"{result.drill.number} {result.drill.name}:")
        if result.error:
            out.append(f"    ERROR: {result.error}")
        tally = result.tally
        if tally is None:
            continue
        out.extend(f"    {note}" for note in tally.notes)
        for reason, n in tally.reasons.most_common(8):
            out.append(f"    needs attention {n}x: {reason}")
        for reason, n in tally.refusal_reasons.most_common(6):
            out.append(f"    refused {n}x: {reason}")
        if tally.refusals_by_kind:
            kinds = ", ".join(f"{kind} {right}/{total}" for kind, (right, total) in tally.refusals_by_kind.items())
            out.append(f"    refused by kind: {kinds}")
        if tally.unexpected:
            out.append(f"    {tally.unexpected} orders in Shopify that should not be there")
        out.extend(f"    problem: {problem}" for problem in tally.problems)
    return "\n".join(out)
