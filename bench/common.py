"""What several bench scripts build: a national Innovationspraktik week from the sample's texts,
and its tables."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from engine.pairing import Week
from indexer.tables import Row, Table

WEEK = Path(__file__).resolve().parents[1] / "data" / "sample" / "week"
TOWNS = (
    "Haslev Faxe Karise Rønnede Køge Ringsted Næstved Roskilde Slagelse Holbæk Sorø Vordingborg "
    "Præstø Stege Nakskov Kalundborg Greve Solrød Lejre Odense Aarhus Aalborg Esbjerg Vejle "
    "Herning Viborg Randers Horsens Kolding Silkeborg Svendborg Hjørring Thisted Tønder"
).split()
ASIDES = (
    "Vi har gode erfaringer med at inddrage borgerne tidligt.",
    "Vi er et lille team, der gerne viser, hvad vi har lært af vores fejl.",
    "Du får en fast kontaktperson hele ugen.",
    "Vi er midt i en omlægning og vil gerne have friske øjne på den.",
    "Der er mulighed for at tale med vores ledelse undervejs.",
    "Vi samarbejder tæt med nabokommunerne og regionen.",
)


def national_week(sample: Week, n_interns: int, n_hosts: int, seed: int = 37) -> Week:
    """A larger week built from the sample's texts, with towns and asides to keep them apart."""
    rng = random.Random(seed)
    organisations = [f"{town} Kommune" for town in TOWNS] + [
        *{h.organisation for h in sample.hosts},
        *{i.organisation for i in sample.interns},
    ]
    hosts = []
    for j in range(n_hosts):
        base = rng.choice(sample.hosts)
        hosts.append(
            replace(
                base,
                id=f"h{j:04d}",
                organisation=rng.choice(organisations),
                offer=f"{base.offer} {rng.choice(ASIDES)} Vi holder til i {rng.choice(TOWNS)}.",
                capacity=rng.choices((1, 2, 3), weights=(5, 10, 85))[0],
                durations=frozenset(rng.sample(range(1, 6), rng.randint(2, 5))),
                line=j + 2,
            )
        )
    host_ids = [h.id for h in hosts]
    interns = []
    for r in range(n_interns):
        model = rng.choice(sample.interns)
        wished = tuple(rng.sample(host_ids, rng.randint(0, 3))) if rng.random() < 0.5 else ()
        interns.append(
            replace(
                model,
                id=f"i{r:04d}",
                organisation=rng.choice(organisations),
                wish=f"{model.wish} Jeg kommer fra {rng.choice(TOWNS)}.",
                duration=rng.randint(1, 5),
                wished_hosts=wished,
                excluded_hosts=frozenset(),
                line=r + 2,
            )
        )
    return Week(hosts, interns, [])


def week_tables(week: Week) -> tuple[Table, Table]:
    """The week as the hosts.csv and interns.csv tables a coordinator would upload."""
    hosts = [
        {
            "id": h.id,
            "organisation": h.organisation,
            "unit_name": h.unit_name,
            "sector": h.sector,
            "offer": h.offer,
            "capacity": str(h.capacity),
            "durations": ";".join(str(d) for d in sorted(h.durations)),
            "contact_email": f"{h.id}@vaert.example",
        }
        for h in week.hosts
    ]
    interns = [
        {
            "id": i.id,
            "name": i.name,
            "organisation": i.organisation,
            "sector": i.sector,
            "wish": i.wish,
            "duration": str(i.duration),
            "wished_hosts": ";".join(i.wished_hosts),
            "excluded_hosts": "",
            "email": f"{i.id}@praktikant.example",
        }
        for i in week.interns
    ]
    return (
        Table("hosts.csv", list(hosts[0]), [Row(n + 2, r) for n, r in enumerate(hosts)]),
        Table("interns.csv", list(interns[0]), [Row(n + 2, r) for n, r in enumerate(interns)]),
    )
