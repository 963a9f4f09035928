"""`flask demo scale`: a county-sized partnership on top of the demo, for benchmarks.

Each feature's demo.py may offer `scale(targets, progress)`: it tops its data up to the targets
with bulk inserts (running it again adds only what is missing), calling progress(n) as it goes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from app.extensions import db

FIRST_NAMES = (
    "Aaliyah Adam Aisha Alan Alice Amir Amy Andrew Anna Ben Beth Carl Chloe Chris Claire Daniel Dawn "
    "Deborah Dev Ellie Emma Fatima Gary Grace Hannah Harry Helen Ian Imran Jack Jade Jane Jason Joanne "
    "John Karen Kate Kieran Laura Leah Liam Lisa Lucy Mandeep Mark Martin Megan Michelle Mohammed Naomi "
    "Neil Nicola Oliver Paul Priya Rachel Rebecca Richard Rob Ruth Ryan Sadia Sam Sarah Sean Simon Sophie "
    "Stephen Stuart Tariq Tom Tracey Vicky Wayne Zoe"
).split()
SURNAMES = (
    "Adams Ahmed Allen Atkinson Bailey Baker Barker Bell Bennett Brown Butler Clarke Cole Collins Cooper "
    "Davies Dixon Edwards Evans Fisher Fox Green Hall Harris Hill Holmes Hughes Hussain Jackson James "
    "Johnson Jones Kaur Khan King Lee Lewis Marshall Martin Mason Mills Moore Morris Murphy Owen Parker "
    "Patel Phillips Price Roberts Robinson Rogers Shaw Singh Smith Stevens Taylor Thomas Thompson Turner "
    "Walker Ward Watson White Wilkinson Williams Wilson Wood Wright Young"
).split()
PLACES = (
    "Arnold Balderton Beeston Bingham Blidworth Bulwell Calverton Carlton Clipstone Collingham Cotgrave "
    "Eastwood Edwinstowe Farndon Gedling Hucknall Keyworth Kimberley Kirkby Mansfield Misterton "
    "Netherfield Newark Ollerton Radcliffe Rainworth Ravenshead Retford Ruddington Selston Shirebrook "
    "Southwell Stapleford Sutton Tuxford Warsop Worksop Balderton Bilsthorpe Blyth Carlton-in-Lindrick "
    "Clarborough Cropwell Farnsfield Gringley Harworth Kegworth Lambley Lowdham Misson Nuthall Ollerton "
    "Papplewick Rampton Sturton Trowell Walkeringham Widmerpool Woodthorpe"
).split()
DISTRICTS = (
    "Ashfield",
    "Bassetlaw",
    "Broxtowe",
    "Gedling",
    "Mansfield",
    "Newark and Sherwood",
    "Rushcliffe",
)


@dataclass
class ScaleTargets:
    agencies: int = 500
    users: int = 5000
    actions: int = 5000
    updates: int = 50000
    returns: int = 4000
    feedback: int = 100000
    audit_events: int = 200000


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def bulk_insert(model, rows: list[dict], progress, batch: int = 2000) -> None:
    """Insert many rows, a batch at a time (one executemany each), reporting progress."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        db.session.execute(insert(model), chunk)
        progress(len(chunk))
