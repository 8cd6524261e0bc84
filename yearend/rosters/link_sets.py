"""What links (an educator's schools, a class's teachers) have in common as statements:
the stored pairs against the wanted ones, each side named by its sourcedIds."""

from __future__ import annotations


class LinkSets:
    """Subclasses give ``_stored()`` (FROM/WHERE of the stored links and parameters),
    ``wanted()`` (a derived table of the wanted pairs) and ``MATCH`` (the condition that a
    stored link is a wanted pair)."""

    MATCH = ""

    def _stored(self) -> tuple[str, list]:
        raise NotImplementedError

    @staticmethod
    def wanted() -> str:
        raise NotImplementedError

    def existing(self) -> tuple[str, list]:
        return self._stored()

    def added(self) -> tuple[str, list]:
        sql, params = self._stored()
        return (
            f"FROM {self.wanted()} WHERE NOT EXISTS (SELECT 1 {sql} AND {self.MATCH})",
            params,
        )
