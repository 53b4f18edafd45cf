import numpy as np
import pytest

from stochgen._kernels import pcg64
from stochgen._numba import jit


@jit
def _draw(state, out):
    for i in range(out.size):
        out[i] = pcg64.next_double(state)


@pytest.mark.parametrize("seed", [0, 7, (2**64 + 5, 3)])
def test_compiled_stream_equals_numpy(seed):
    seq = np.random.SeedSequence(seed)
    state = pcg64.seed_state(seq)
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    start = gen.bit_generator.state["state"]
    assert (int(state[0]) << 64 | int(state[1]), int(state[2]) << 64 | int(state[3])) == (
        start["state"],
        start["inc"],
    )
    out = np.empty(100_003)
    _draw(state, out)
    np.testing.assert_array_equal(out, gen.random(100_003))
    # The state ends where numpy's does, so the stream can be continued either way.
    end = gen.bit_generator.state["state"]["state"]
    assert (int(state[0]) << 64 | int(state[1])) == end


def test_plain_python_path_equals_numpy():
    # The body that runs with the JIT off (and the carry between the 64-bit halves).
    state = pcg64.seed_state(np.random.SeedSequence(11))
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(11)))
    got = [pcg64.next_double(state) for _ in range(2000)]
    np.testing.assert_array_equal(got, gen.random(2000))
