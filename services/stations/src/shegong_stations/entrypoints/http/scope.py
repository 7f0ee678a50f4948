"""Which stations a roundup covers, and whether the caller may read it."""

from __future__ import annotations

from shegong_runtime.auth import Principal

from shegong_stations.entrypoints.http import access
from shegong_stations.queries import directory
from shegong_stations.queries.directory import Station


def roundup_scope(
    who: Principal, everyone: list[Station], district: str | None
) -> tuple[str, list[Station]]:
    """(name of the scope, its stations): the city for the city's roles, a district for its officer."""
    if district:
        who.require_district(district)
        chosen = directory.district(everyone, district)
        return chosen[0].district_name, chosen
    access.require_city(who)
    return (everyone[0].city if everyone else "全市"), everyone


def roundup_choices(who: Principal, everyone: list[Station]) -> list[tuple[str, str]]:
    """(district id or "", label) the caller may pick on the roundup page."""
    choices = [("", everyone[0].city if everyone else "全市")] if who.citywide else []
    seen = []
    for st in everyone:
        if st.district_id in seen:
            continue
        seen.append(st.district_id)
        if who.may_read_district(st.district_id):
            choices.append((st.district_id, st.district_name))
    return choices
