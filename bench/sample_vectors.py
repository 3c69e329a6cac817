"""Write the sample's embeddings (each text's vector, then its pieces') beside its tables, from a
home that indexed it, so a fresh `make run` embeds nothing for the sample.

    tvaers --home home index data/sample && python -m bench.sample_vectors --home home

Run it again when the sample's texts, `indexer.records.text_pieces` or the default model change
(`tvaers index` embeds whatever the file lacks, so a stale file costs time, never correctness).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from indexer.build import Home
from indexer.loading import load_data_folder
from indexer.pieces import BUNDLED_VECTORS, save_bundle
from indexer.records import documents_from_records
from indexer.snapshots import current_meta

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--home", type=Path, required=True, help="a home that indexed the sample")
    args = parser.parse_args()
    documents = documents_from_records(load_data_folder(SAMPLE).records)
    hashes = {d.content_hash for d in documents}
    home = Home(args.home)
    meta = current_meta(home.index_dir)
    if meta is None:
        raise SystemExit(
            f"{args.home} has no index: run `tvaers --home {args.home} index data/sample`"
        )
    model_id = meta.model_id  # the model that indexed the home
    store = home.open_store()
    try:
        blobs = store.cached_vectors(model_id, hashes)
    finally:
        store.close()
    missing = hashes - set(blobs)
    if missing:
        raise SystemExit(f"{len(missing)} of the sample's texts are not cached for {model_id}")
    save_bundle(SAMPLE / BUNDLED_VECTORS, model_id, blobs)
    print(f"{len(blobs)} texts' vectors for {model_id} -> {SAMPLE / BUNDLED_VECTORS}")


if __name__ == "__main__":
    main()
