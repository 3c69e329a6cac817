"""Domain errors. The edges (CLI, HTTP) translate these; the core only raises them.

Messages are shown to end users, so they are in plain Danish and say how to fix the problem.
"""

from __future__ import annotations

from dataclasses import dataclass


class TvaersError(Exception):
    """Base class for every error tvaers raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", linje {self.line}"
        if self.column is not None:
            where += f", kolonne '{self.column}'"
        return f"{where}: {self.message}"


class DataError(TvaersError):
    """Input data is invalid; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"- {p}" for p in problems[:20])
        more = f"\n- … og {len(problems) - 20} fejl mere" if len(problems) > 20 else ""
        super().__init__(
            f"Data kunne ikke indlæses ({len(problems)} fejl); intet er ændret:\n{shown}{more}"
        )


class IndexNotFoundError(TvaersError):
    """No index in the home folder yet."""

    def __init__(self, home: str) -> None:
        super().__init__(
            f"Der er intet indeks i {home}. Kør først `tvaers index DATAMAPPE` "
            "(eller `tvaers reindex`, hvis databasen allerede har data)."
        )


class ModelMismatchError(TvaersError):
    """The index was built with another embedding model than the one asked to query it."""

    def __init__(self, index_model: str, query_model: str) -> None:
        super().__init__(
            f"Indekset er bygget med modellen '{index_model}', men søgningen bruger "
            f"'{query_model}'. Vælg samme model, eller byg indekset igen med `tvaers reindex`."
        )


class NotFoundError(TvaersError):
    """An id that does not exist."""

    def __init__(self, kind: str, record_id: str) -> None:
        self.kind = kind
        self.record_id = record_id
        label = {"unit": "enhed", "person": "person", "trial": "prøvehandling"}.get(kind, kind)
        super().__init__(f"Der findes ingen {label} med id '{record_id}'.")


class AlreadyExistsError(TvaersError):
    """A create for an id that is taken (checked in the same transaction as the write)."""

    def __init__(self, kind: str, record_id: str) -> None:
        self.kind = kind
        self.record_id = record_id
        label = {"unit": "en enhed", "person": "en person", "trial": "en prøvehandling"}[kind]
        super().__init__(
            f"Der findes allerede {label} med id '{record_id}'. Brug PUT for at ændre den."
        )


class EmbedderUnavailableError(TvaersError):
    """The configured embedding model cannot be loaded on this machine."""


class VersionConflictError(TvaersError):
    """A write expected a version of the record that is no longer the stored one."""

    def __init__(
        self,
        kind: str,
        record_id: str,
        expected: str,
        current: object,
        attempted: object = None,
    ) -> None:
        self.kind = kind
        self.record_id = record_id
        self.expected = expected
        self.current = current  # the stored Record (or None: deleted meanwhile)
        self.attempted = attempted  # the Record the write would have stored, when known
        super().__init__(
            "Posten er ændret af en anden, siden du hentede den. Se den gemte version, og gem "
            "din ændring igen oven på den, hvis den stadig skal med."
        )
