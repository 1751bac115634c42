from dataclasses import dataclass, field


@dataclass
class CheckOutcome:
    """What one check found: passed or not, a one-line summary, and the details behind it."""

    name: str
    passed: bool
    summary: str
    details: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"[{'ok' if self.passed else 'FAILED'}] {self.name}: {self.summary}"]
        lines.extend(f"    {line}" for line in self.details)
        return "\n".join(lines)
