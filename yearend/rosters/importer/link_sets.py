"""What links (an educator's schools, a class's teachers) have in common as statements:
the stored pairs against the wanted ones, each side named by its sourcedIds."""

from __future__ import annotations


class LinkSets:
    """``stored``: the FROM/WHERE of the stored links and its parameters; ``wanted``: a
    derived table of the wanted pairs; ``match``: the condition that a stored link is a
    wanted pair."""

    def __init__(self, *, stored: tuple[str, list], wanted: str, match: str) -> None:
        self.stored, self.wanted, self.match = stored, wanted, match

    def existing(self) -> tuple[str, list]:
        return self.stored

    def added(self) -> tuple[str, list]:
        sql, params = self.stored
        return (
            f"FROM {self.wanted} WHERE NOT EXISTS (SELECT 1 {sql} AND {self.match})",
            params,
        )
