"""numpy's PCG64 stream inside a kernel: the same doubles, without a call per draw.

numpy's `numpy.random.PCG64` is PCG-XSL-RR 128/64 (O'Neill 2014): a 128-bit
linear congruential state ``s <- s * M + inc (mod 2**128)`` whose output is
the rotation of ``hi ^ lo`` by the top six bits of the new state, and a
double is ``(output >> 11) * 2**-53``. A numba kernel that draws through a
`numpy.random.Generator` calls the bit generator through a function pointer
for every value (3.9 ns here); stepping the state inline costs 2.6 ns. The
state is held as four uint64 words ``(state_hi, state_lo, inc_hi, inc_lo)``,
seeded from a `numpy.random.SeedSequence` exactly as ``PCG64(seed_seq)``
seeds itself, so the doubles equal ``Generator(PCG64(seed_seq)).random()``
bit for bit (tested against numpy).

With the JIT disabled, `next_double` runs as plain Python on Python integers.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload
from numpy.typing import NDArray

__all__ = ["MULTIPLIER", "next_double", "seed_state"]

#: PCG's default 128-bit multiplier (numpy's PCG_DEFAULT_MULTIPLIER_128).
MULTIPLIER = (2549297995355413924 << 64) | 4865540595714422341
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
_MUL_HI = np.uint64(MULTIPLIER >> 64)
_MUL_LO = np.uint64(MULTIPLIER & _MASK64)
_SHIFT_58 = np.uint64(58)
_SHIFT_11 = np.uint64(11)
_BITS = np.uint64(64)
_LOW6 = np.uint64(63)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def seed_state(seed_seq: np.random.SeedSequence) -> NDArray[np.uint64]:
    """Return the four state words ``PCG64(seed_seq)`` starts from.

    numpy draws four 64-bit words from the seed sequence, ``(initstate_hi,
    initstate_lo, initseq_hi, initseq_lo)``, and seeds PCG the standard way:
    ``inc = 2 initseq + 1``; ``s = 0``; step; ``s += initstate``; step.

    Examples
    --------
    >>> seq = np.random.SeedSequence(7)
    >>> words = seed_state(seq)
    >>> numpy_state = np.random.PCG64(np.random.SeedSequence(7)).state["state"]
    >>> (int(words[0]) << 64 | int(words[1])) == numpy_state["state"]
    True
    """
    v = [int(w) for w in seed_seq.generate_state(4, np.uint64)]
    initstate = (v[0] << 64) | v[1]
    inc = ((((v[2] << 64) | v[3]) << 1) | 1) & _MASK128
    state = inc  # 0 * M + inc
    state = (state + initstate) & _MASK128
    state = (state * MULTIPLIER + inc) & _MASK128
    return np.array([state >> 64, state & _MASK64, inc >> 64, inc & _MASK64], dtype=np.uint64)


def next_double(state: NDArray[np.uint64]) -> float:
    """Advance ``state`` (four uint64 words, in place) and return its next double.

    This body runs when the JIT is off; compiled kernels use the overload
    below, inlined, with a 128-bit multiply.
    """
    s = (int(state[0]) << 64) | int(state[1])
    inc = (int(state[2]) << 64) | int(state[3])
    s = (s * MULTIPLIER + inc) & _MASK128
    state[0], state[1] = s >> 64, s & _MASK64
    hi, lo = s >> 64, s & _MASK64
    x = hi ^ lo
    rot = hi >> 58
    out = ((x >> rot) | (x << ((64 - rot) & 63))) & _MASK64
    return (out >> 11) * _TO_UNIT


@intrinsic
def _mulhi(typingctx, a, b):  # noqa: ARG001 - numba's intrinsic signature
    """High 64 bits of the 128-bit product of two uint64 (one machine multiply)."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):  # noqa: ARG001
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


@overload(next_double, inline="always")
def _next_double_compiled(state):  # noqa: ARG001 - numba's overload signature
    def impl(state):
        s_hi = state[0]
        s_lo = state[1]
        lo = s_lo * _MUL_LO
        hi = _mulhi(s_lo, _MUL_LO) + s_lo * _MUL_HI + s_hi * _MUL_LO
        new_lo = lo + state[3]
        carry = _ONE if new_lo < lo else _ZERO
        new_hi = hi + state[2] + carry
        state[0] = new_hi
        state[1] = new_lo
        x = new_hi ^ new_lo
        rot = new_hi >> _SHIFT_58
        out = (x >> rot) | (x << ((_BITS - rot) & _LOW6))
        return np.float64(out >> _SHIFT_11) * _TO_UNIT

    return impl
