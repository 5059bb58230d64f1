"""What a drill is: a number, a name for the command line, a title for the table, the processes it
needs, and the function that runs it on a started stack and returns its tally."""

from collections.abc import Callable
from dataclasses import dataclass, field

from drills.stack import Stack, StackOptions
from drills.tally import Tally


@dataclass(frozen=True)
class Drill:
    number: int
    name: str
    title: str
    run: Callable[[Stack], Tally]
    options: StackOptions = field(default_factory=StackOptions)
    # Each order of the drill's campaign must end pushed (a FAILED or needs-attention order is as
    # good as lost here: the campaigns hold nothing a merchant would have to fix).
    every_order_pushed: bool = True
