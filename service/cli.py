"""The `tvaers` command. Errors from the core become short messages here, never tracebacks."""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from engine.evaluation import (
    evaluation_json,
    is_similar_units_file,
    load_queries,
    load_similar_units,
    metrics_of,
    run_queries,
    similar_units_metrics,
)
from engine.pairing import PairingWeights
from engine.results import Filters, Hit
from engine.search import Searcher
from engine.synonyms import SynonymTable
from indexer.build import Home, IndexReport
from indexer.caching import CachedEmbedder
from indexer.embedders import Embedder
from indexer.errors import TvaersError
from indexer.live import LiveIndex, index_data_folder, rebuild_index
from service.click_danish import install as speak_danish
from service.click_danish import use_danish_metavars
from service.config import Settings, make_embedder

speak_danish()  # click's help and errors; before the commands below are declared
F = TypeVar("F", bound=Callable[..., Any])
KIND_LABELS = {"unit": "Enhed", "person": "Person", "trial": "Prøvehandling"}
MATCHED_BY_LABELS = {"meaning": "betydning", "words": "ord", "both": "betydning og ord"}


class AppContext:
    """What every command needs, created once per process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._embedder: Embedder | None = None

    @property
    def home(self) -> Home:
        return Home(self.settings.home, self.settings.database_url)

    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    def reusing_embedder(self) -> Embedder:
        """The model behind the store's cache: texts embedded before are not embedded again."""
        return CachedEmbedder(self.embedder(), self.home.open_store())

    def pairing_weights(self) -> PairingWeights:
        return self.settings.pairing_weights()

    def searcher(self) -> Searcher:
        """The newest snapshot caught up with the database, as a service opens it: never a
        stale index without a word."""
        store = self.home.open_store()
        live = LiveIndex.open(store, self.embedder(), self.home.index_dir)
        synonyms = SynonymTable(store.engine)
        return Searcher(live.current, self.embedder(), synonyms=synonyms.current)


def translate_errors(func: F) -> F:
    """Turn domain errors into click errors: a message and exit code 1, no traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TvaersError as exc:
            raise click.ClickException(str(exc)) from exc

    return functools.update_wrapper(wrapper, func)  # type: ignore[return-value]


@click.group()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Mappen med database og indeks (ellers TVAERS_HOME, ellers ~/.local/share/tvaers).",
)
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """tvaers: find kolleger, enheder og prøvehandlinger på tværs."""
    settings = Settings(home=home) if home is not None else Settings()
    ctx.obj = AppContext(settings)


@main.command()
@click.argument("data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.pass_obj
@translate_errors
def index(app: AppContext, data_dir: Path) -> None:
    """Indlæs DATA_DIR (units, people, trials som CSV/Excel) og byg søgeindekset."""
    with _progress_bar() as progress:
        report = index_data_folder(data_dir, app.home, app.embedder(), progress)
    _echo_report(report, app.home)
    _load_sample_week(app, data_dir)


def _load_sample_week(app: AppContext, data_dir: Path) -> None:
    """The bundled sample only: its week becomes a sample season with a proposal (once)."""
    import datetime as dt

    from service.season.sample import is_bundled_sample, load_sample_season

    if not is_bundled_sample(data_dir):
        return
    store = app.home.open_store()
    try:
        season = load_sample_season(
            store.engine, app.embedder(), app.pairing_weights(), dt.date.today()
        )
    finally:
        store.close()
    if season is not None:
        click.echo(f"Eksemplets praktikuge er lagt ind som sæsonen »{season.name}« med et forslag.")


@main.command()
@click.pass_obj
@translate_errors
def reindex(app: AppContext) -> None:
    """Byg søgeindekset igen ud fra databasen."""
    with _progress_bar() as progress:
        report = rebuild_index(app.home, app.embedder(), progress)
    _echo_report(report, app.home)


@main.command()
@click.argument("query")
@click.option("--kind", type=click.Choice(["unit", "person", "trial"]), default=None)
@click.option("--organisation", default=None)
@click.option("--sector", default=None)
@click.option("--area", default=None)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.pass_obj
@translate_errors
def search(
    app: AppContext,
    query: str,
    kind: Any,
    organisation: str | None,
    sector: str | None,
    area: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Søg med fri tekst."""
    results = app.searcher().search_by_text(
        query, Filters(kind, organisation, sector, area), limit=limit
    )
    if as_json:
        click.echo(json.dumps([hit_json(h) for h in results.hits], ensure_ascii=False, indent=2))
        return
    if not results.hits:
        click.echo(f"Ingen resultater for »{query}«.")
        return
    if results.corrections:
        read_as = ", ".join(f"{a} → {b}" for a, b in results.corrections.items())
        click.echo(f"(Læst som: {read_as})")
    at_least = "mindst " if results.total_relation == "gte" else ""
    click.echo(f"{at_least}{results.total} resultater for »{query}« ({results.took_ms:.0f} ms)\n")
    _echo_hits(results.hits)


@main.command()
@click.argument("unit_id")
@click.option("--other-organisations", is_flag=True, help="Kun enheder i andre organisationer.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@translate_errors
def similar(
    app: AppContext, unit_id: str, other_organisations: bool, limit: int, as_json: bool
) -> None:
    """Vis enheder, der ligner UNIT_ID."""
    searcher = app.searcher()
    hits = searcher.similar_units(unit_id, limit=limit, other_organisations=other_organisations)
    if as_json:
        click.echo(json.dumps([hit_json(h) for h in hits], ensure_ascii=False, indent=2))
        return
    unit = searcher.document("unit", unit_id)
    click.echo(f"Enheder der ligner {unit.title} ({unit.organisation}):\n")
    _echo_hits(hits)


@main.command(name="eval")
@click.argument("queries_csv", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@translate_errors
def evaluate(app: AppContext, queries_csv: Path, as_json: bool) -> None:
    """Mål søgekvaliteten på et mærket forespørgselssæt (qid,query,kind,relevant,qtype) eller
    lignende enheder på et mærket sæt af enheder (unit_id,similar)."""
    if is_similar_units_file(queries_csv):
        metrics = similar_units_metrics(app.searcher(), load_similar_units(queries_csv))
        if as_json:
            click.echo(json.dumps({"metrics": metrics}, ensure_ascii=False, indent=2))
            return
        click.echo(f"{'lignende enheder':<22}{'par':>5}{'recall@3':>11}{'mrr@10':>11}")
        for group, values in metrics.items():
            mrr = f"{values['mrr@10']:>11.3f}" if "mrr@10" in values else ""
            click.echo(f"{group:<22}{int(values['pairs']):>5}{values['recall@3']:>11.3f}{mrr}")
        return
    outcomes = run_queries(app.searcher(), load_queries(queries_csv))
    if as_json:
        click.echo(json.dumps(evaluation_json(outcomes), ensure_ascii=False, indent=2))
        return
    metrics = metrics_of(outcomes)
    names = ["mrr@10", "ndcg@10", "recall@10", "hit@1"]
    click.echo(f"{'qtype':<12}{'n':>5}" + "".join(f"{n:>11}" for n in names))
    for qtype, values in metrics.items():
        cells = "".join(f"{values[n]:>11.3f}" for n in names)
        click.echo(f"{qtype:<12}{int(values['queries']):>5}{cells}")


def hit_json(hit: Hit) -> dict[str, Any]:
    data = dataclasses.asdict(hit)
    data["explanation"]["highlights"] = [list(s) for s in hit.explanation.highlights]
    return data


def _echo_hits(hits: list[Hit]) -> None:
    for rank, hit in enumerate(hits, 1):
        where = hit.organisation if hit.kind == "unit" else f"{hit.unit_name}, {hit.organisation}"
        how = MATCHED_BY_LABELS[hit.explanation.matched_by]
        click.echo(f"{rank:>2}. {hit.title}  [{KIND_LABELS[hit.kind]} · {where}]")
        click.echo(f"    {hit.explanation.marked_snippet()}")
        click.echo(f"    fundet på {how} · score {hit.score:.3f} · id {hit.id}\n")


def _echo_report(report: IndexReport, home: Home) -> None:
    counts = ", ".join(
        f"{n} {label}"
        for label, n in zip(
            ("enheder", "personer", "prøvehandlinger"), report.counts.values(), strict=True
        )
    )
    click.echo(
        f"Indekseret {counts} i {home.path} ({report.seconds:.1f} s); "
        f"{report.changed} poster ændret (revision {report.revision})."
    )
    click.echo(
        f"Embeddede {report.embedded} tekster; genbrugte {report.reused} fra cachen. "
        f"Model: {report.model_id}; indekstype: {report.index_type}."
    )
    if report.swept_vectors:
        # Vectors of texts no record holds any more: a pairing run's offers and wishes (cheap to
        # embed again, and they may name people) or a crash's leftovers.
        n = report.swept_vectors
        click.echo(
            f"{n} {'vektor' if n == 1 else 'vektorer'} fra tekster, der ikke længere findes "
            "(fx en tidligere praktikuges ønsker og tilbud), er ryddet op."
        )


class _progress_bar:
    """A tqdm bar that appears only once there is something to embed."""

    def __init__(self) -> None:
        self._bar: tqdm[Any] | None = None

    def __enter__(self) -> Callable[[int, int], None]:
        return self._update

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()

    def _update(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = tqdm(total=total, desc="Embedder", unit="tekst", file=sys.stderr)
        self._bar.update(done)


# Commands that live in their own modules; imported last, as they build on AppContext.
from service.auth.keys_cli import keys  # noqa: E402
from service.backup_cli import backup, restore  # noqa: E402
from service.db_cli import db  # noqa: E402
from service.gaps_cli import search_gaps  # noqa: E402
from service.pairing_cli import pair  # noqa: E402
from service.season_cli import season  # noqa: E402
from service.serve_cli import serve  # noqa: E402

main.add_command(keys)
main.add_command(backup)
main.add_command(restore)
main.add_command(pair)
main.add_command(serve)
main.add_command(search_gaps)
main.add_command(db)
main.add_command(season)
use_danish_metavars(main)
