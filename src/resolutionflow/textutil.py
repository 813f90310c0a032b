"""Service-desk text normalisation and the sparse TF-IDF vectoriser shared by similarity code.

Problem summaries are short and written in a hurry, so two people describe one fault with
different words: "can't print", "printer offline", "print jobs stuck". Before anything is
compared, text is lower-cased, common IT phrasings are folded onto one canonical token
("sign in" / "log on" -> "login", "2FA" -> "mfa", "wi-fi" -> "wifi"), regular plurals are
dropped, and words that say nothing about *which* problem it is ("user", "issue", "not",
"working", "please") are removed. Negation is dropped on purpose: nearly every ticket says
something is "not working", so the nouns around it are what tell problems apart.

`TextVectoriser` turns normalised text into L2-normalised sparse rows that combine word
1-2 grams (what the text is about) with character 3-5 grams (spelling variants, inflections
such as "syncing"/"synced" the folding does not catch, product names glued together).
Terms are counted here, character grams cut once per distinct word rather than once per
occurrence (the counts are exactly those of scikit-learn's CountVectorizer), and weighted by
scikit-learn's TfidfTransformer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Applied to the lower-cased text before tokenising; order matters (longer phrases first).
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\b(?:can't|cant|cannot|can not|won't|wont|doesn't|doesnt|isn't|isnt|don't|dont)\b", " "),
    (r"\b(?:didn't|didnt|aren't|arent|wasn't|wasnt|haven't|havent|hasn't|hasnt)\b", " "),
    (r"\b(?:multi[- ]?factor|two[- ]?factor|2[- ]?step|two[- ]?step|2fa)\b", " mfa "),
    (r"\b(?:log(?:ging|s|ged)?|sign(?:ing|s|ed)?)[- ]?(?:in|on)\b", " login "),
    (r"\b(?:locked|locking|locks|lock)[- ]out\b", " lockout "),
    (r"\bone[- ]drive\b", " onedrive "),
    (r"\bshare[- ]point\b", " sharepoint "),
    (r"\bwi[- ]?fi\b", " wifi "),
    (r"\be[- ]mail", " email"),
    (r"\boff[- ]line\b", " offline "),
    (r"\bblue[- ]screens?\b", " bsod "),
    (r"\b(?:office|microsoft)[- ]?365\b|\bo365\b", " m365 "),
    (r"\btak(?:es?|ing) (?:\w+ )?(?:ages|forever|a long time|minutes)\b", " slow "),
    (r"\b(?:several|many|five|ten|\d+) minutes\b", " slow "),
    (r"\b(?:again and again|over and over)\b", " loop "),
    (r"\bpass[- ]word", " password"),
)
_PHRASE_RES = tuple((re.compile(p), r) for p, r in _PHRASES)
# Most texts hold none of the phrases; one scan for any of them spares the sixteen passes.
# (A text no phrase matches is never rewritten, so no later phrase can match either.)
_ANY_PHRASE = re.compile("|".join(f"(?:{p})" for p, _ in _PHRASES))
_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9_.\-]*[a-z0-9]|[a-z0-9]")

# Surface form -> canonical token. Canonical forms are real words so labels stay readable.
_CANONICAL: dict[str, list[str]] = {
    "printer": ["print", "prints", "printing", "printed", "printers", "mfp", "copier", "plotter"],
    "sync": [
        "syncing",
        "synced",
        "synching",
        "syncs",
        "synchronise",
        "synchronize",
        "synchronising",
        "synchronizing",
        "synchronisation",
        "synchronization",
    ],
    "password": ["passwords", "pwd", "pw", "passwd"],
    "lockout": ["locked", "lockouts"],
    "login": ["logon", "logins", "signin", "logging"],
    "slow": ["slowly", "sluggish", "slowness", "laggy", "lag", "lagging"],
    "mapped": ["map", "maps", "mapping", "mappings"],
    "disconnect": [
        "disconnects",
        "disconnected",
        "disconnecting",
        "drops",
        "dropping",
        "dropped",
        "drop",
        "dropout",
        "dropouts",
    ],
    "connect": ["connects", "connected", "connecting", "connection", "connections", "connectivity"],
    "camera": ["webcam", "webcams", "cam", "cameras"],
    "microphone": ["mic", "mics", "microphones"],
    "drain": ["drains", "draining", "drained"],
    "sleep": [
        "sleeping",
        "slept",
        "hibernate",
        "hibernation",
        "hibernating",
        "standby",
        "wake",
        "wakes",
        "waking",
        "woke",
        "resume",
        "resumes",
        "resuming",
        "lid",
    ],
    "reboot": [
        "reboots",
        "rebooting",
        "rebooted",
        "restart",
        "restarts",
        "restarting",
        "restarted",
    ],
    "detect": [
        "detected",
        "detecting",
        "detects",
        "detection",
        "recognised",
        "recognized",
        "recognise",
        "recognize",
        "recognising",
        "recognizing",
    ],
    "freeze": ["freezes", "freezing", "frozen", "froze", "hangs", "hanging", "hung", "hang"],
    "crash": ["crashes", "crashing", "crashed"],
    "email": ["emails", "mail", "mails"],
    "stuck": ["stalled", "stalls", "stall"],
    "prompt": ["prompts", "prompting", "prompted"],
    "loop": ["loops", "looping", "looped"],
    "missing": [
        "disappeared",
        "disappears",
        "disappear",
        "gone",
        "vanished",
        "vanish",
        "vanishes",
        "lost",
    ],
    "mfa": ["authenticator"],
    "send": ["sends", "sending", "sent", "outgoing"],
    "approve": ["approval", "approved", "approving", "approves", "accept", "accepted"],
    "laptop": ["laptops", "notebook", "notebooks"],
    "wifi": ["wireless", "wlan"],
}
SYNONYMS: dict[str, str] = {s: c for c, forms in _CANONICAL.items() for s in forms}

# Words that end in "s" but are not plurals (or whose singular means something else).
_KEEP_S = _words(
    "windows teams dns https macos ios always access address status alias aws sms news "
    "analytics express plus gps bios chaos lens canvas atlas "
)

STOP_WORDS: frozenset[str] = _words(
    # English function words.
    "a an the and or but if then so to of in on at by for with from into onto over under "
    "after before about as is are was were be been being am do does did doing done have "
    "has had having i me my mine we our us you your he she him her his they them their it "
    "its this that these those there here what which who whom whose when where why how "
    "all any some every each both few more most other such no nor not only own same than "
    "too very can could will would should shall may might must just now also again still "
    "even ever never always sometimes often yet already since while during until because "
    "though although up out off via per etc around across through between against without "
    "within upon whenever whatever whole entire longer several "
) | _words(
    # Service-desk words that appear in tickets about anything.
    "user users client clients customer customers staff employee employees someone "
    "everyone anyone people person colleague colleagues team member members manager new "
    "issue issues problem problems error errors help please thanks thank hi hello asap "
    "urgent working work works worked fail fails failed failing failure unable able try "
    "tried trying tries say says said saying report reports reported reporting ticket "
    "tickets today yesterday morning afternoon week day days time times random randomly "
    "suddenly properly correctly anything something nothing need needs needed want wants "
    "like using use uses used see sees seen show shows showing shown appear appears "
    "appearing come comes coming happen happens happening occur occurs occurring back "
    "keep keeps kept get gets getting got go goes going went make makes made seem seems "
    "seemed anymore computer computers pc pcs machine machines device devices workstation "
    "workstations system systems one "
)


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.endswith("s") or word in _KEEP_S:
        return word
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def tokens(text: str) -> list[str]:
    """The meaningful, canonical tokens of a piece of text, in order."""
    low = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    if _ANY_PHRASE.search(low):
        for pattern, repl in _PHRASE_RES:
            low = pattern.sub(repl, low)
    out: list[str] = []
    for raw in _TOKEN_RE.findall(low):
        word = raw.strip(".-_")
        if not word or word.isdigit() or len(word) < 2:
            continue
        if word in STOP_WORDS:
            continue
        word = SYNONYMS.get(word, word)
        word = _singular(word)
        word = SYNONYMS.get(word, word)
        if word not in STOP_WORDS:
            out.append(word)
    return out


def normalise(text: str) -> str:
    """The text as canonical tokens joined by spaces (what the vectoriser reads)."""
    return " ".join(tokens(text))


def _word_ngrams(text: str) -> list[str]:
    words = text.split()
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _char_wb(word: str) -> list[str]:
    """A word's character 3-5 grams, the word padded with one space each side (as
    scikit-learn's `char_wb` analyser cuts them; a word shorter than 3 is one gram)."""
    padded = f" {word} "
    size = len(padded)
    if size <= 3:
        return [padded]
    return [padded[i : i + n] for n in range(3, min(5, size) + 1) for i in range(size - n + 1)]


def _vocabulary(terms: Iterable[str]) -> dict[str, int]:
    # Numbered in sorted order, as scikit-learn's CountVectorizer numbers its features.
    return {term: k for k, term in enumerate(sorted(set(terms)))}


def _count_rows(ids: list[list[int]], width: int) -> sp.csr_matrix:
    """One row per list of term ids, each entry the number of times the id occurs."""
    indptr = np.zeros(len(ids) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(row) for row in ids])
    flat = np.fromiter((k for row in ids for k in row), dtype=np.int32, count=int(indptr[-1]))
    rows = sp.csr_matrix(
        (np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(ids), width)
    )
    rows.sum_duplicates()
    return rows


class _TermCounts:
    """Term counts over one learnt vocabulary: word 1-2 grams, or character 3-5 grams.

    These are the counts scikit-learn's CountVectorizer gives for the same analyser (same
    vocabulary order, float32 counts, sorted indices); the TF-IDF weighting itself is left
    to its TfidfTransformer. Character grams are cut once per distinct word and a text's
    counts are its word counts times each word's gram counts (one sparse product): a
    period's summaries repeat a small vocabulary, and re-slicing every word of every text
    was most of the cost.
    """

    def __init__(self, *, chars: bool) -> None:
        self.chars = chars
        self.vocabulary: dict[str, int] = {}
        self._grams: dict[str, list[str]] = {}

    def fit_counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.chars:
            words = {w for text in texts for w in text.split()}
            self.vocabulary = _vocabulary(g for w in words for g in self._char_grams(w))
            found = self.counts(texts)
        else:
            terms = [_word_ngrams(text) for text in texts]
            self.vocabulary = vocab = _vocabulary(t for row in terms for t in row)
            found = _count_rows([[vocab[t] for t in row] for row in terms], len(vocab))
        if not self.vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        return found

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        vocab = self.vocabulary
        if not self.chars:
            ids = [[vocab[t] for t in _word_ngrams(text) if t in vocab] for text in texts]
            return _count_rows(ids, len(vocab))
        word_ids: dict[str, int] = {}
        per_text = [[word_ids.setdefault(w, len(word_ids)) for w in t.split()] for t in texts]
        grams = [[vocab[g] for g in self._char_grams(w) if g in vocab] for w in word_ids]
        out = _count_rows(per_text, len(word_ids)) @ _count_rows(grams, len(vocab))
        out = sp.csr_matrix(out, dtype=np.float32)
        out.sort_indices()
        return out

    def _char_grams(self, word: str) -> list[str]:
        found = self._grams.get(word)
        if found is None:
            found = self._grams[word] = _char_wb(word)
        return found

    @property
    def terms(self) -> np.ndarray:
        return np.asarray(list(self.vocabulary), dtype=object)


class _Weighted:
    """TF-IDF (sublinear tf, smoothed idf, L2 rows) of one kind of term."""

    def __init__(self, *, chars: bool) -> None:
        self.terms = _TermCounts(chars=chars)
        self.tfidf = TfidfTransformer(sublinear_tf=True)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        counts = self.terms.fit_counts(texts)
        self.tfidf.fit(counts)
        return self.tfidf.transform(counts, copy=False)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.tfidf.transform(self.terms.counts(texts), copy=False)


class TextVectoriser:
    """Sparse TF-IDF over normalised text: word 1-2 grams plus character 3-5 grams.

    Each block is L2-normalised, scaled so that a row's cosine similarity is
    `word_weight * word_cosine + (1 - word_weight) * char_cosine`, and the result is
    L2-normalised again (rows of empty text stay all-zero).
    """

    def __init__(self, *, word_weight: float = 0.8) -> None:
        self.word_weight = word_weight
        self._word = _Weighted(chars=False)
        self._char = _Weighted(chars=True)
        self._fitted = False

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Fit on `texts` (raw) and return their rows."""
        return self.fit_transform_normalised([normalise(t) for t in texts])

    def fit_transform_normalised(self, norm: Sequence[str]) -> sp.csr_matrix:
        """Fit on already normalised texts (see `normalise`) and return their rows."""
        if not any(norm):
            # A vocabulary cannot be empty; a placeholder keeps all-stop-word input working.
            self._word.fit_transform(["_"])
            self._char.fit_transform(["_"])
            self._fitted = True
            return self._combine(norm)
        # Fitting already counts every text: keep those rows rather than reading them again.
        rows = self._join(self._word.fit_transform(norm), self._char.fit_transform(norm))
        self._fitted = True
        return rows

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Rows for `texts` (raw) under the fitted vocabulary."""
        return self.transform_normalised([normalise(t) for t in texts])

    def transform_normalised(self, norm: Sequence[str]) -> sp.csr_matrix:
        """Rows for already normalised texts under the fitted vocabulary."""
        if not self._fitted:
            raise RuntimeError("TextVectoriser.transform called before fit_transform")
        return self._combine(norm)

    def word_rows(self, normalised: Sequence[str]) -> sp.csr_matrix:
        """Plain word-gram TF-IDF rows (for picking characteristic terms)."""
        return self._word.transform(normalised)

    @property
    def word_terms(self) -> np.ndarray:
        return self._word.terms.terms

    @property
    def word_idf(self) -> np.ndarray:
        return self._word.tfidf.idf_

    def _combine(self, norm: Sequence[str]) -> sp.csr_matrix:
        return self._join(self._word.transform(norm), self._char.transform(norm))

    def _join(self, words: sp.csr_matrix, chars: sp.csr_matrix) -> sp.csr_matrix:
        w = normalize(words) * np.float32(np.sqrt(self.word_weight))
        c = normalize(chars) * np.float32(np.sqrt(1 - self.word_weight))
        return normalize(sp.hstack([w, c], format="csr", dtype=np.float32))
