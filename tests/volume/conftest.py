import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1] / "bench")]  # `cityyear`, imported below

from cityyear.generate import Generated, generate

from . import year


@pytest.fixture(scope="session")
async def volume_year(database_url: str) -> Generated:
    """The shared small year (`year.py`), generated into the suite's database once."""
    return await generate(database_url, year.STATIONS, year.SCALE, seed=year.SEED)
