"""Near-duplicate detection: MinHash signatures of word 3-shingles, indexed with MinHash LSH.

The text compared is the title followed by the body paragraphs, NFC-normalised,
lower-cased and split into words (runs of Unicode letters/digits, so
punctuation and spacing differences do not count). Each run of three
consecutive words is one shingle. Two articles whose shingle sets have an
estimated Jaccard similarity at or above the threshold are near-duplicates.

Signatures are stored as bytes (:meth:`NearDupIndex.to_bytes`). :meth:`NearDupIndex.band_keys` gives the
LSH band keys of a signature as 64-bit integers: the crawl's index is the ``minhash_bands`` table of the
database (newscrawl/storage/signatures.py), the same banding as the in-memory index here.
"""
from __future__ import annotations

import hashlib
import inspect
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = [
    "DEFAULT_THRESHOLD",
    "SHINGLE_SIZE",
    "NearDupIndex",
    "lsh_params",
    "minhash_signature",
    "shingles",
    "shingle_hashes",
    "normalise_words",
]

SHINGLE_SIZE = 3
DEFAULT_THRESHOLD = 0.8  # NEWSCRAWL_NEARDUP_THRESHOLD's default; the migration to schema 6 bands with it
SEED = 1
LSH_RECALL = 0.99
_WORD = re.compile(r"\w+", re.UNICODE)

# datasketch >= 2.0 has permutation schemes ("affine32" is its default and
# faster); 1.x only knows what 2.0 calls "legacy". Record which one made a
# signature so that a stored signature is never compared with another scheme's.
_HAS_SCHEMES = "scheme" in inspect.signature(MinHash.__init__).parameters
SCHEME = "affine32" if _HAS_SCHEMES else "legacy"
_DTYPES = {"affine32": np.dtype("<u4"), "affine64": np.dtype("<u8"), "legacy": np.dtype("<u8")}
# What is stored with each signature: the datasketch scheme and the version of
# the shingle hashing below. Signatures with another tag are recomputed.
SIGNATURE_SCHEME = f"{SCHEME}/w1"

# Shingle hashing: each distinct word is hashed once (sha1, first 32 bits; cached,
# a language has few distinct words), and the hash of a 3-word shingle is mixed
# from its words' hashes with numpy. This gives one 32-bit hash per distinct
# shingle, as hashing the shingle text would, at a fraction of the cost.
_WORD_HASHES: dict[str, int] = {}
_WORD_CACHE_LIMIT = 1_000_000
_K = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_M = np.uint64(0xFF51AFD7ED558CCD)
_S1, _S2 = np.uint64(32), np.uint64(29)
_LOW32 = np.uint64(0xFFFFFFFF)


def normalise_words(text: str) -> list[str]:
    """NFC, lower case, words only."""
    return _WORD.findall(unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).lower()))


def shingles(title: str | None, body: Iterable[str] | None, size: int = SHINGLE_SIZE) -> set[str]:
    """The set of word ``size``-shingles of title + body (a shorter text is one shingle)."""
    words = normalise_words(" ".join([title or "", *(body or ())]))
    if not words:
        return set()
    if len(words) < size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def lsh_params(threshold: float, num_perm: int, recall: float = LSH_RECALL) -> tuple[int, int]:
    """LSH bands and rows: the most rows per band (fewest false candidates) such that
    a pair exactly at ``threshold`` is still a candidate with probability >= ``recall``.

    datasketch's own choice balances false positives against false negatives,
    which at 128 permutations and 0.8 misses about a third of the pairs at 0.85;
    here every candidate is verified against its signature, so false candidates
    cost little and missed duplicates are what matters.
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


def _word_hash(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        if len(_WORD_HASHES) >= _WORD_CACHE_LIMIT:
            _WORD_HASHES.clear()
        value = _WORD_HASHES[word] = int.from_bytes(hashlib.sha1(word.encode("utf-8")).digest()[:4], "little")
    return value


def shingle_hashes(title: str | None, body: Iterable[str] | None, size: int = SHINGLE_SIZE) -> np.ndarray:
    """One 32-bit hash per distinct word ``size``-shingle of title + body (see :func:`shingles`)."""
    words = normalise_words(" ".join([title or "", *(body or ())]))
    if not words:
        return np.empty(0, dtype=np.uint32)
    cached = _WORD_HASHES.get
    w = np.array([cached(word) or _word_hash(word) for word in words], dtype=np.uint64)
    if len(w) < size:
        size = len(w)
    count = len(w) - size + 1
    h = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        h += w[offset : offset + count] * _K[offset % len(_K)]
    h ^= h >> _S1
    h *= _M
    h ^= h >> _S2
    return np.unique((h & _LOW32).astype(np.uint32))


def _identity(value):
    return value


_UPDATE_SLICE = 512


@lru_cache(maxsize=8)
def _permutations(num_perm: int):
    # Generating the permutations is the costly part of MinHash(): once per size, reused.
    kwargs = {"scheme": SCHEME} if _HAS_SCHEMES else {}
    return MinHash(num_perm=num_perm, seed=SEED, hashfunc=_identity, **kwargs).permutations


def _minhash(num_perm: int, hashvalues=None) -> MinHash:
    kwargs = {"num_perm": num_perm, "seed": SEED, "hashfunc": _identity, "permutations": _permutations(num_perm)}
    if _HAS_SCHEMES:
        kwargs["scheme"] = SCHEME
    if hashvalues is not None:
        kwargs["hashvalues"] = hashvalues
    return MinHash(**kwargs)


def minhash_signature(title: str | None, body: Iterable[str] | None, num_perm: int = 128) -> np.ndarray | None:
    """The MinHash signature of title + body, or ``None`` when they have no words.

    A pure function of its arguments, so that it can run in an extraction worker
    process (DedupePipeline does that when the crawl has workers)."""
    hashes = shingle_hashes(title, body)
    if not len(hashes):
        return None
    m = _minhash(num_perm)
    values = hashes.tolist()
    # In slices: update_batch builds a (values x permutations) array; for a long article
    # (2,500 shingles x 128) that is over a megabyte, and slices that fit the CPU cache
    # made the signature three times faster, with the same minimum.
    for start in range(0, len(values), _UPDATE_SLICE):
        m.update_batch(values[start:start + _UPDATE_SLICE])
    return np.asarray(m.hashvalues, dtype=_DTYPES[SCHEME])


class NearDupIndex:
    """An in-memory MinHash LSH index of article signatures keyed by canonical URL.

    ``signature()`` computes a signature, ``query()`` returns the indexed keys
    whose estimated Jaccard similarity with it reaches the threshold (LSH
    candidates verified against their signatures), best first.
    """

    def __init__(self, num_perm: int = 128, threshold: float = DEFAULT_THRESHOLD):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near-duplicate threshold must be in (0, 1], got {threshold!r}")
        self.num_perm = int(num_perm)
        self.threshold = float(threshold)
        self.scheme = SIGNATURE_SCHEME
        self.seed = SEED
        self.dtype = _DTYPES[SCHEME]
        self.bands, self.rows = lsh_params(self.threshold, self.num_perm)
        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm, params=(self.bands, self.rows))
        self._signatures: dict[str, np.ndarray] = {}

    def _new_minhash(self, hashvalues=None) -> MinHash:
        return _minhash(self.num_perm, hashvalues)

    # --- signatures

    def signature(self, title: str | None, body: Iterable[str] | None) -> np.ndarray | None:
        """The MinHash signature of an article, or ``None`` when it has no words."""
        return minhash_signature(title, body, self.num_perm)

    def to_bytes(self, sig: np.ndarray) -> bytes:
        return np.asarray(sig, dtype=self.dtype).tobytes()

    def from_bytes(self, data: bytes) -> np.ndarray:
        sig = np.frombuffer(data, dtype=self.dtype)
        if sig.shape[0] != self.num_perm:
            raise ValueError(f"signature has {sig.shape[0]} values, expected {self.num_perm}")
        return sig.copy()

    def compatible(self, num_perm: int, scheme: str, seed: int) -> bool:
        """Whether a stored signature made with these parameters can be used by this index."""
        return num_perm == self.num_perm and scheme == self.scheme and seed == self.seed

    @property
    def layout(self) -> str:
        """What band keys depend on: the signature's parameters and the banding. Stored band keys of another
        layout never match this one's (the layout is hashed into every key)."""
        return f"{self.scheme}/p{self.num_perm}/s{self.seed}/b{self.bands}x{self.rows}"

    def band_keys(self, sig: np.ndarray) -> list[int]:
        """The signature's LSH band keys, one per band, as signed 64-bit integers (a BIGINT column, and
        PostgreSQL advisory lock keys). Two signatures are LSH candidates when they share a key."""
        data = np.asarray(sig, dtype=self.dtype)
        layout = self.layout.encode("ascii")
        keys = []
        for band in range(self.bands):
            chunk = data[band * self.rows : (band + 1) * self.rows].tobytes()
            digest = hashlib.blake2b(chunk, digest_size=8, key=layout, salt=band.to_bytes(16, "little")).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys

    @staticmethod
    def similarity(a: np.ndarray, b: np.ndarray) -> float:
        """Estimated Jaccard similarity of two signatures (share of equal hash values)."""
        return float(np.count_nonzero(a == b)) / float(len(a))

    # --- index

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: str) -> bool:
        return key in self._signatures

    def get(self, key: str) -> np.ndarray | None:
        return self._signatures.get(key)

    def add(self, key: str, sig: np.ndarray) -> None:
        """Index ``sig`` under ``key``, replacing a previous signature of that key."""
        old = self._signatures.get(key)
        if old is not None:
            if np.array_equal(old, sig):
                return
            self._lsh.remove(key)
        self._lsh.insert(key, self._new_minhash(hashvalues=sig), check_duplication=False)
        self._signatures[key] = sig

    def remove(self, key: str) -> None:
        if self._signatures.pop(key, None) is not None:
            self._lsh.remove(key)

    def query(self, sig: np.ndarray, exclude: str | None = None) -> list[tuple[str, float]]:
        """``[(key, similarity)]`` of indexed signatures at or above the threshold, most similar first."""
        if not self._signatures:
            return []
        found = []
        for key in self._lsh.query(self._new_minhash(hashvalues=sig)):
            if key == exclude:
                continue
            sim = self.similarity(sig, self._signatures[key])
            if sim >= self.threshold:
                found.append((key, sim))
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found
