import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.geo import TownTable, haversine_km
from matching.profiles import OrgProfile, Town
from matching.scoring import TownFit, weighted_harmonic

unit = st.floats(0, 1, allow_nan=False)


def test_haversine_matches_a_known_distance():
    # Tokyo Station to Shin-Osaka Station: about 403 km.
    assert haversine_km(35.681, 139.767, 34.733, 135.500) == pytest.approx(403, abs=3)


def test_town_table_distances_and_unknown_towns():
    table = TownTable([Town("A", 35.0, 139.0), Town("B", 35.009, 139.0)])
    assert table.distance("A", "B") == pytest.approx(1.0, abs=0.01)
    assert table.distance("A", "A") == 0.0
    assert table.distance("A", "nowhere") is None
    assert np.isnan(table.distances_from("nowhere")).all()


@given(st.lists(st.tuples(st.booleans(), st.one_of(st.none(), st.floats(0, 1000))), max_size=30))
def test_town_factor_is_bounded_and_only_covering_gets_one(entries):
    fit = TownFit()
    covers = np.array([c for c, _ in entries], dtype=bool)
    dist = np.array([np.nan if d is None else d for _, d in entries], dtype=float)
    factor = fit.factor(covers, dist)
    assert ((factor >= 0) & (factor <= 1)).all()
    assert (factor[covers] == 1).all()
    assert (factor[~covers] < 1).all()


def test_town_factor_decays_with_distance_and_stops_at_max():
    fit = TownFit(outside=0.6, scale_km=3, max_km=10)
    f = fit.factor(np.zeros(4, dtype=bool), np.array([0.0, 3.0, 9.0, 11.0]))
    assert f[0] == pytest.approx(0.6) and f[1] == pytest.approx(0.6 / math.e, rel=1e-5)
    assert f[0] > f[1] > f[2] > 0 == f[3]


@given(unit, unit, st.floats(0.05, 0.95), st.floats(0, 0.3))
def test_weighted_harmonic_is_bounded(f, b, w, s):
    h = float(weighted_harmonic(f, b, w, s))
    assert 0 <= h <= 1
    assert h <= w * f + (1 - w) * b + 1e-9


@given(st.floats(0.01, 1), st.floats(0.01, 1), st.floats(0.05, 0.95), st.floats(0, 0.3))
def test_a_lopsided_pair_scores_below_a_balanced_one_with_the_same_weighted_mean(f, b, w, s):
    mean = w * f + (1 - w) * b
    lopsided, balanced = float(weighted_harmonic(f, b, w, s)), float(weighted_harmonic(mean, mean, w, s))
    assert lopsided <= balanced + 1e-9
    if abs(f - b) > 1e-3:
        assert lopsided < balanced


def test_profiles_validate_their_fields():
    with pytest.raises(ValueError):
        OrgProfile("x", "company", "name")
    with pytest.raises(ValueError):
        OrgProfile("x", "thematic", "name", towns="東町")
    with pytest.raises(ValueError):
        OrgProfile("x", "thematic", "name", capacity=-1)
    org = OrgProfile("x", "thematic", "name", towns=["A", "A", "B"], capacity=3, active_teams=1)
    assert org.towns == ("A", "B") and org.free_capacity == 2
