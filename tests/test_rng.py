import numpy as np
import pytest

from stochgen._rng import (
    as_generator,
    as_seed_sequence,
    block_generator,
    iter_blocks,
    spawn_generators,
)


def test_int_seed_gives_same_stream():
    assert as_generator(5).random(3).tolist() == as_generator(5).random(3).tolist()
    assert as_generator(5).random() != as_generator(6).random()


def test_seed_sequence_is_not_mutated_by_use():
    ss = np.random.SeedSequence(11)
    first = [g.random() for g in spawn_generators(ss, 3)]
    second = [g.random() for g in spawn_generators(ss, 3)]
    assert first == second
    assert ss.n_children_spawned == 0


def test_generator_is_consumed_and_used_as_is():
    rng = np.random.default_rng(3)
    assert as_generator(rng) is rng
    a = as_seed_sequence(np.random.default_rng(3)).entropy
    b = as_seed_sequence(np.random.default_rng(3)).entropy
    assert a == b
    rng2 = np.random.default_rng(3)
    as_seed_sequence(rng2)
    assert rng2.random() != np.random.default_rng(3).random()


def test_bit_generator_accepted():
    assert isinstance(as_generator(np.random.PCG64(1)), np.random.Generator)


def test_block_generator_matches_spawn():
    root = as_seed_sequence(99)
    children = np.random.SeedSequence(99).spawn(5)
    for i in (0, 4):
        expected = np.random.Generator(np.random.PCG64(children[i])).random(4)
        np.testing.assert_array_equal(block_generator(root, i).random(4), expected)


def test_iter_blocks_covers_rows_once():
    spans = [(a, b) for a, b, _ in iter_blocks(10, 0, block_rows=4)]
    assert spans == [(0, 4), (4, 8), (8, 10)]
    assert list(iter_blocks(0, 0)) == []


def test_streams_are_independent():
    draws = np.array([g.standard_normal(20_000) for g in spawn_generators(1, 4)])
    corr = np.corrcoef(draws)
    off = corr[~np.eye(4, dtype=bool)]
    # |r| of independent normals has sd 1/sqrt(n) = 0.007; 5 sd bound.
    assert np.all(np.abs(off) < 0.035)


@pytest.mark.parametrize("bad", [-1, True, 1.5, "seed", [1, 2]])
def test_bad_seeds_rejected(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        as_seed_sequence(bad)
