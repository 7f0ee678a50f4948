"""Every code an event can carry has one Chinese word, the same on every page."""

from __future__ import annotations

import importlib
import typing

import pytest
from shegong_events import glossary
from shegong_runtime.auth import Role

DOMAINS = ["visits", "registry", "engagement", "notifications", "erasure"]


def vocabularies():
    for domain in DOMAINS:
        module = importlib.import_module(f"shegong_events.{domain}")
        for name, value in vars(module).items():
            if typing.get_origin(value) is typing.Literal:
                yield name, typing.get_args(value)


@pytest.mark.parametrize(("name", "codes"), sorted(set(vocabularies())))
def test_every_code_of_every_vocabulary_has_a_word(name, codes):
    table = glossary.VOCABULARIES.get(name)
    assert table is not None, f"no glossary table for {name}"
    missing = [c for c in codes if not table.get(c)]
    assert not missing, (name, missing)


def test_the_glossary_has_no_table_for_a_vocabulary_that_does_not_exist():
    known = {name for name, _ in vocabularies()} | {"Role"}
    assert set(glossary.VOCABULARIES) == known


def test_every_role_that_signs_in_has_a_word():
    assert {r.value for r in Role} == set(glossary.ROLE)


def test_a_household_category_and_the_policy_of_the_same_code_read_as_staff_say_them():
    assert glossary.HOUSEHOLD_CATEGORY["minimum_living_allowance"] == "低保家庭"
    assert glossary.POLICY["minimum_living_allowance"] == "最低生活保障"


def test_every_scored_dimension_of_an_evaluation_has_a_word():
    from shegong_events.registry import EvaluationScores

    assert list(glossary.EVALUATION_DIMENSION) == list(EvaluationScores.model_fields)


def test_every_meeting_kind_has_a_noun_for_running_text():
    assert list(glossary.MEETING_NOUN) == list(glossary.MEETING_KIND)
