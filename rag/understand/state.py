"""Dialogue state: what a session has talked about, so "does it come in blue?" finds its product.

`SessionStore` is the interface (get / put / delete / purge, TTL'd); `SQLiteSessionStore` is the
default, one file under the data dir, safe across threads and processes (WAL, one short
transaction per call). A Redis or Postgres store implements the same four methods on the same
JSON document (`SessionState.model_dump_json()`).

`resolve_focus()` is the coreference rule set, kept here next to the state it reads:
  1. a product context passed by the caller (the page the shopper is on) wins;
  2. else entities named in this message ("the Kestrel", a brand, after the session talked
     about one Kestrel product: that product, `brand_as_product`);
  3. else a selection from the last candidates ("the first one", "the second", "that one"), or
     from the products the last answer listed ("tell me more about the second one");
  4. else the session's current focus (pronouns, ellipsis: "and the warranty?"), unless the
     message asks the store at large ("do you have gift cards?").
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from rag.understand.linker import singular
from rag.understand.router import POLICY_INTENTS
from rag.understand.types import LinkedEntity

MAX_TURNS = 50          # history kept per session (oldest dropped)
MAX_TEXT_CHARS = 2000   # message / answer text kept per turn


class Turn(BaseModel):
    at: float
    text: str
    intent: str
    intent_confidence: float = 0.0
    sentiment: str = "neutral"
    escalate: bool = False
    entities: list[LinkedEntity] = Field(default_factory=list)
    focus: list[LinkedEntity] = Field(default_factory=list)
    candidates: list[LinkedEntity] = Field(default_factory=list)
    answer: str | None = None
    #: The messages whose conditions narrowed this turn's product listing (its own last), when
    #: it asked for one: a follow-up about the same category keeps them ("which one is the
    #: lightest?" after "a tent for 4 people").
    listing_texts: list[str] = Field(default_factory=list)
    #: A bare question about a policy, read with an earlier message ("how long does it take?"
    #: after "do you ship to Canada?"): that message. The next bare question is read with it,
    #: not with both ("how long does it take?" after "how much does it cost?" got the price).
    topic: str | None = None
    #: The turn was answered "which product do you mean?" with nothing to pick from ("is it
    #: waterproof?" with no product known): the product named next is what it asked about.
    asked_which: bool = False

    def read_with(self, follow_up: str) -> tuple[str, str]:
        """A follow-up read with this turn ("how long?" after "do you ship to Canada?"): what it is
        read with (this turn's own topic when it had one, which the follow-up records as its topic
        in turn) and the text retrieval searches with."""
        topic = self.topic or self.text
        return topic, f"{topic.rstrip(' ?.!')}, {follow_up.strip()}"


class SessionState(BaseModel):
    id: str
    created_at: float
    updated_at: float
    turns: list[Turn] = Field(default_factory=list)
    #: What the conversation is about now (carried to the next turn).
    focus: list[LinkedEntity] = Field(default_factory=list)
    #: Candidates offered in the last clarifying question ("the first one" picks from these).
    candidates: list[LinkedEntity] = Field(default_factory=list)
    #: Products the last answer listed, in its order ("cheapest first: (1) ..., (2) ..."):
    #: "tell me more about the second one" picks from these, "how much is it?" asks which.
    listed: list[LinkedEntity] = Field(default_factory=list)
    #: The listing the last pick came from, while the answers since name only its products:
    #: "tell me about the first one" then "and the second?" picks the second of that listing.
    picked_from: list[LinkedEntity] = Field(default_factory=list)
    #: Turns so far whose sentiment was negative or that asked about an order/complaint:
    #: the "repeated contact" escalation signal counts these.
    negative_turns: int = 0

    @property
    def pick_listing(self) -> list[LinkedEntity]:
        """The products an ordinal counts in: the last answer's listing, or, while the answers
        since a pick named only the picked product, the listing it was picked from ("and the
        second?" after "tell me about the first one")."""
        return self.picked_from if len(self.listed) < 2 and self.picked_from else self.listed

    @classmethod
    def new(cls, session_id: str) -> "SessionState":
        now = time.time()
        return cls(id=session_id, created_at=now, updated_at=now)

    def add_turn(self, turn: Turn) -> None:
        turn.text = turn.text[:MAX_TEXT_CHARS]
        self.turns.append(turn)
        del self.turns[:-MAX_TURNS]
        self.updated_at = turn.at

    @property
    def last_intent(self) -> str | None:
        return self.turns[-1].intent if self.turns else None


@runtime_checkable
class SessionStore(Protocol):
    ttl_s: int

    def get(self, session_id: str) -> SessionState | None:
        """The session, or None when unknown or idle longer than the TTL."""
        ...

    def put(self, state: SessionState) -> None: ...

    def delete(self, session_id: str) -> bool: ...

    def purge_expired(self) -> int: ...


class SQLiteSessionStore:
    """Sessions as JSON documents in one SQLite table; expired ones are invisible and purged."""

    def __init__(self, path: str | Path, ttl_s: int = 24 * 3600):
        self.path = Path(path)
        self.ttl_s = ttl_s
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._memory_conn: sqlite3.Connection | None = None
        if str(path) == ":memory:":
            self._memory_conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn = self._conn()
        with conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, updated_at REAL NOT NULL, "
                "data TEXT NOT NULL)"
            )
            conn.execute("CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(updated_at)")
        self._lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        if self._memory_conn is not None:
            return self._memory_conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, session_id: str) -> SessionState | None:
        row = self._conn().execute(
            "SELECT data, updated_at FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            return None
        if row[1] < time.time() - self.ttl_s:
            self.delete(session_id)
            return None
        return SessionState.model_validate_json(row[0])

    def put(self, state: SessionState) -> None:
        conn = self._conn()
        with self._lock, conn:
            conn.execute(
                "INSERT INTO sessions (id, updated_at, data) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data",
                (state.id, state.updated_at, state.model_dump_json()),
            )

    def delete(self, session_id: str) -> bool:
        conn = self._conn()
        with self._lock, conn:
            cur = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        return cur.rowcount > 0

    def purge_expired(self) -> int:
        conn = self._conn()
        with self._lock, conn:
            cur = conn.execute("DELETE FROM sessions WHERE updated_at < ?", (time.time() - self.ttl_s,))
        return cur.rowcount

    def close(self) -> None:
        conn = getattr(self._local, "conn", None) or self._memory_conn
        if conn is not None:
            conn.close()


def open_session_store(url: str, data_dir: str | Path, ttl_s: int) -> SessionStore:
    """The store a `session_store_url` names: empty = SQLite in the data dir; `sqlite:///PATH`;
    `redis://...` for a store shared by several API replicas."""
    if not url:
        return SQLiteSessionStore(Path(data_dir) / "sessions.sqlite", ttl_s=ttl_s)
    if url.startswith("sqlite:///"):
        return SQLiteSessionStore(url[len("sqlite:///"):], ttl_s=ttl_s)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from rag.understand.redis_sessions import RedisSessionStore

        return RedisSessionStore(url, ttl_s=ttl_s)
    raise ValueError(
        f"session_store_url {url.split('://')[0]}://... is not a store this build provides "
        "(implement rag.understand.state.SessionStore for it); use '', sqlite:///PATH or redis://HOST:PORT/DB"
    )


# ------------------------------------------------------------------------------ coreference
# words that refer back to what the conversation is about ("what color is it?", "do you have
# it in blue?", "tell me more about the second one")
REFERS_BACK = re.compile(r"\b(it|its|it's|this|that|these|those|they|them|their|one|ones)\b", re.IGNORECASE)
# ... to one thing: the product in focus
REFERS_TO_ONE = re.compile(r"\b(it|its|it's|this one|that one)\b", re.IGNORECASE)
#: A thing asked to fit in the product talked about ("will a 15 inch laptop fit?", "would my
#: sleeping bag fit inside?")
_FITS_IN_IT = re.compile(r"\b(?:will|would|can|could|does|do)\s+(?:a|an|my|the|your)\s+(?:[\w-]+\s+){0,3}?fit"
                         r"(?:\s+(?:in|inside|into)(?:\s+(?:it|there|this|that))?)?\W*$", re.IGNORECASE)
_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "last": -1,
}
_ORDINAL_RE = re.compile(
    r"\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)(?:\s+(?:one|option|product|item))?\b"
)
_NUMBER_PICK_RE = re.compile(r"^\s*(?:number|option|#)?\s*([1-5])\s*[.!]?\s*$")
_WHICH = re.compile(r"^\W*(?:(?:and|so|ok|okay)\s+)?which\b", re.IGNORECASE)
_DEMONSTRATIVE_RE = re.compile(r"\b(that|this|the)\s+one\b")
_PICK_NOUNS = {"one", "option", "product", "item"}
# "the second", "2nd!", "and the third?", "what about the last one?": a pick and nothing else
_ONLY_A_PICK = re.compile(
    r"^\W*(?:(?:and|ok|okay|now|then|what\s+about|how\s+about)\s+)?(?:the\s+)?"
    r"(?:first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)(?:\s+(?:one|option|product|item))?\W*$")
_ALONE_RE = re.compile(r"^\W*(?:the\s+)?\w+\W*$")  # "the second", "2nd!"


def only_a_pick(text: str) -> bool:
    """The message is a pick from a list and nothing more ("and the second?"): it asks again
    what the last pick was asked."""
    return bool(_ONLY_A_PICK.match(text.lower()))


def select_candidate(text: str, candidates: list[LinkedEntity], strict: bool = False) -> LinkedEntity | None:
    """Pick from offered candidates by ordinal ("the second one", "2") or by "that one" when a
    single candidate was offered. `strict` (products an answer listed, not a question we asked)
    takes an ordinal only with its noun or alone: "what's the last day to return?" picks none."""
    if not candidates:
        return None
    low = text.lower()
    m = _ORDINAL_RE.search(low)
    if m and strict and not (m.group(0).split()[-1] in _PICK_NOUNS or _ALONE_RE.match(low) or only_a_pick(low)
                             or _names_their_kind(low[m.end():], candidates)):
        m = None
    if m:
        i = _ORDINALS[m.group(1)]
        if -len(candidates) <= i < len(candidates):
            return candidates[i]
    m = _NUMBER_PICK_RE.match(low)
    if m and int(m.group(1)) <= len(candidates):
        return candidates[int(m.group(1)) - 1]
    if _DEMONSTRATIVE_RE.search(low) and len(candidates) == 1:
        return candidates[0]
    if not strict and len(low.split()) <= NAME_PICK_MAX_WORDS:
        # "the 440" after "Which one do you mean? ... 2. Northpeak Alpine 440 Tent; ...": the
        # one whose name alone has a word the message says
        said = set(re.findall(r"[a-z0-9]+", low))
        named = [c for c in candidates if said & set(re.findall(r"[a-z0-9]+", c.name.lower()))
                 - set().union(*(re.findall(r"[a-z0-9]+", o.name.lower()) for o in candidates if o is not c))]
        if len(named) == 1:
            return named[0]
    return None


def _names_their_kind(after: str, candidates: list[LinkedEntity]) -> bool:
    """The word after an ordinal names what every candidate is: "what brand is the first
    phone?" of the phones listed (a Smartphone each), "the second laptop"; "the last day to
    return" names none."""
    word = re.match(r"\s+([a-z]{3,})", after)
    if word is None:
        return False
    kind = singular(word.group(1))
    return all(kind in c.name.lower() for c in candidates)


#: How long a reply to "which one do you mean?" that names the one by a word of its name may be
NAME_PICK_MAX_WORDS = 4


_COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4, "five": 5, "5": 5}
# "the first two", "the top 3", "the last two": that many from one end of the list
_FIRST_N = re.compile(r"\b(first|top|last)\s+(two|three|four|five|[2-5])\b")
# "both", "all three", "all of them", "them", "these", "those": every product listed
_ALL_LISTED = re.compile(r"\b(?:both|all(?:\s+(?:three|four|five|[3-5]))?|all\s+of\s+them|them|these|those|they)\b")
_EACH_ORDINAL = re.compile(r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\b"
                           r"|(?<![\w$.,])#?([1-5])(?![\w.,%$])")


def select_several(text: str, listed: list[LinkedEntity]) -> list[LinkedEntity]:
    """The products of the last answer's list that a message picks together, in its order:
    "compare the first two", "the top 3", "the first and the third one", "1 and 3", "both",
    "them". Fewer than two picked: none (one pick is `select_candidate`'s)."""
    if len(listed) < 2:
        return []
    low = text.lower()
    m = _FIRST_N.search(low)
    if m:
        n = min(_COUNTS[m.group(2)], len(listed))
        return listed[-n:] if m.group(1) == "last" else listed[:n]
    picked: list[LinkedEntity] = []
    for o in _EACH_ORDINAL.finditer(low):
        i = _ORDINALS[o.group(1)] if o.group(1) else int(o.group(2)) - 1
        if -len(listed) <= i < len(listed) and listed[i] not in picked:
            picked.append(listed[i])
    if len(picked) >= 2:
        return picked
    return list(listed) if not picked and _ALL_LISTED.search(low) else []


# "do you have gift cards?", "do you sell tents?": a question to the store, not about the
# product talked about before ("do you have it in blue?" refers back, and is)
_ASKS_THE_STORE = re.compile(
    r"^\W*(?:(?:hi|hello|hey|ok|okay|also|and)\W+)*(?:do|does|can|could|will|would)\s+(?:you|u|y'all|your\s+(?:store|shop))"
    r"(?:\s+guys)?\s+(?:also\s+)?(?:have|sell|carry|stock|offer|do|make)\b", re.IGNORECASE)


# "do you have anything similar?", "... cheaper?": measured against what was talked about
# ("do you have other brands?" asks the store at large)
_MEASURED_AGAINST = re.compile(
    r"\b(?:similar|alike|comparable|same|alternatives?|cheaper|pricier|less\s+expensive|"
    r"more\s+expensive|lighter|heavier|bigger|larger|smaller|warmer|better|newer)\b", re.IGNORECASE)


def asks_the_store(text: str) -> bool:
    """A question to the store at large ("do you have gift cards?") that refers back to nothing:
    the product in focus does not carry over to it. One that measures against it does ("do you
    have anything similar?" abstained, the headphones talked about forgotten)."""
    return bool(_ASKS_THE_STORE.match(text)) and not REFERS_BACK.search(text) and not _MEASURED_AGAINST.search(text)


def name_the_pick(text: str, picked: LinkedEntity) -> str:
    """`text` with the words that picked a product ("the second one", "2") replaced by its name,
    its article kept: "tell me more about the second one" -> "tell me more about the Bassline
    Halo 320 Headphones" (a question asked of "Bassline ..." without it reads as no question of
    the product: "does Aurora Audio Echo 340 ... have a mic?" was answered "noise cancelling: no")."""
    low = text.lower()
    m = _ORDINAL_RE.search(low) or _NUMBER_PICK_RE.match(low) or _DEMONSTRATIVE_RE.search(low)
    if m is None:
        return f"{text} ({picked.name})"
    end = m.end()
    if _names_their_kind(low[end:], [picked]):
        # ("the second phone": the kind's word goes with the ordinal)
        end += re.match(r"\s+[a-z]+", low[end:]).end()
    if not (m.start() or end < len(text)):
        return picked.name
    article = "the " if re.match(r"(?:the|this|that)\s", low[m.start():]) else ""
    return f"{text[:m.start()]}{article}{picked.name}{text[end:]}"


# a case of a rule: "what if i lost the charger?", "and if my kid broke the case?"
_A_CASE_OF_IT = re.compile(r"^\W*(?:(?:and|but|so|ok|okay)[\s,]+)?(?:what\s+if|and\s+if|even\s+if)\s+(?:i|my|we|our|the|it)\b",
                           re.IGNORECASE)


# "only the 4-season ones", "just the red ones": a narrowing of what was listed
_ONLY_THE = re.compile(r"^\W*(?:(?:and|ok|okay|so)\W+)?(?:only|just)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+ones?\W*$",
                       re.IGNORECASE)


# the makers talked about, as makers: "do they make sleeping bags?", "do they sell tents?"
_THE_MAKERS = re.compile(r"\b(?:they|them|their)\b", re.IGNORECASE)


# words after a brand's name that make it the brand, not a product of it ("the Kestrel range")
_BRAND_NOUNS = r"(?:brand|brands|products?|range|line|lineup|company|maker|store|models|items|gear)"


def brand_as_product(text: str, brand: LinkedEntity, state: SessionState | None) -> LinkedEntity | None:
    """The product a brand's name stands for: "how much RAM does the Kestrel have?" after
    comparing the Nimbus Tech Book 690 and the Kestrel Air 450 asks about the Kestrel Air 450,
    not the brand (it was answered from another Kestrel laptop's description). Only "the
    <brand>" as a thing of its own (not "the Kestrel brand", nor "Kestrel laptops"), and only
    when the session talked about exactly one product of the brand."""
    if brand.kind != "brand" or state is None or not brand.mention:
        return None
    if not re.search(rf"\bthe\s+{re.escape(brand.mention)}\b(?!\s+{_BRAND_NOUNS}\b)", text, re.IGNORECASE):
        return None
    talked_about = {e.id: e for e in (*state.focus, *state.listed) if e.kind == "product" and e.brand_id == brand.id}
    return next(iter(talked_about.values())) if len(talked_about) == 1 else None


def named_by_its_kind(text: str, mentioned: list[LinkedEntity], talked_about: list[LinkedEntity]) -> LinkedEntity | None:
    """The one product talked about, named by its kind: "how heavy is the phone?" after "tell me
    about the Veltro Lite 600", "how long is the cable?" after a cable's page (both listed the
    whole category). Only "the / this / that / my <kind>" of the category of one product talked
    about, nothing else named; None otherwise."""
    if not mentioned or any(e.kind != "category" or not e.mention for e in mentioned):
        return None
    kinds = {e.id for e in mentioned}
    products = {e.id: e for e in talked_about if e.kind == "product" and e.category_id in kinds}
    if len(kinds) != 1 or len(products) != 1 or not all(
            re.search(rf"\b(?:the|this|that|my)\s+{re.escape(e.mention or '')}\b", text, re.IGNORECASE) for e in mentioned):
        return None
    return next(iter(products.values()))


def resolve_focus(
    text: str,
    mentioned: list[LinkedEntity],
    state: SessionState | None,
    context: LinkedEntity | None,
) -> tuple[list[LinkedEntity], str]:
    """Decide what this turn is about; returns (focus entities, source) where source is one of
    context | message | selection | session | none."""
    if context is not None:
        # The page the shopper is on wins; other products named in the message (a comparison)
        # come after it.
        others = [e for e in mentioned if not (e.kind == context.kind and e.id == context.id)]
        return [context, *others], "context"
    keeps_focus = state is not None and bool(state.focus) and bool(mentioned) and bool(
        # (a category only near the message by meaning does not replace what "them" refers to:
        # "what brands make them?" after tents is about tents, not coffee makers; nor what a
        # choice is made among: "which is best for winter?" after sleeping bags, not Outdoor)
        ((REFERS_BACK.search(text) or _WHICH.match(text)) and all(e.method == "embedding" for e in mentioned))
        # (nor a category named beside "it": "can I return it after a camping trip?" about the
        # tent in focus; "camping" names the Outdoor category, an alias, but "it" is the tent)
        or (REFERS_TO_ONE.search(text) and all(e.kind == "category" for e in mentioned)
            and any(e.kind == "product" for e in state.focus))
        # (nor a thing that would fit in it: "will a 15 inch laptop fit?" about the backpack
        # talked about listed the laptops of 15 inches or more)
        or (_FITS_IN_IT.search(text) and all(e.kind == "category" for e in mentioned)
            and any(e.kind == "product" for e in state.focus))
        # (nor a thing of it, in a case of the rule just asked: "what if i lost the charger?"
        # after the phones' returns named Chargers, and was declined)
        or (state.last_intent in POLICY_INTENTS and _A_CASE_OF_IT.match(text) and all(e.kind == "category" for e in mentioned))
        # (nor a value of another kind's, to narrow what was listed: "only the 4-season ones"
        # after backpacks named Tents by "4-season", and was declined)
        or (_ONLY_THE.match(text) and all(e.kind == "category" and e.method == "value" for e in mentioned)
            and any(e.kind == "category" for e in state.focus)))
    if mentioned and not keeps_focus and state is not None and state.candidates and (
            (picked := select_candidate(text, state.candidates)) is not None
            or (len(mentioned) == 1 and (picked := next((c for c in state.candidates if c.id == mentioned[0].id), None)))):
        # "alpine 440" after "Which one do you mean? ... 2. Northpeak Alpine 440 Tent; ...": the
        # answer to our question (declined, read as a message of its own; "the 440" named
        # another product with 440 in its name)
        return [picked.model_copy(update={"method": "selection", "score": 1.0})], "selection"
    if (mentioned and not keeps_focus and state is not None and not state.candidates and state.pick_listing
            and all(e.kind == "category" for e in mentioned)
            and (m := _ORDINAL_RE.search(text.lower())) is not None
            and _names_their_kind(text.lower()[m.end():], state.pick_listing)
            and len(select_several(text, state.pick_listing)) < 2
            and (picked := select_candidate(text, state.pick_listing, strict=True)) is not None):
        # "how much is the second phone?" after the phones listed: the second of them (the
        # kind named is no new search: it quoted the first phone's price)
        return [picked.model_copy(update={"method": "selection", "score": 1.0})], "selection"
    if (mentioned and not keeps_focus and state is not None and all(e.kind == "category" for e in mentioned)
            and _THE_MAKERS.search(text)
            and (brands := [e for e in state.focus if e.kind == "brand"]) and not any(e.kind == "product" for e in state.focus)):
        # "tell me about northpeak", then "do they make sleeping bags?": the brand's sleeping
        # bags (it listed every sleeping bag)
        return [*mentioned, *(e.model_copy(update={"method": "session"}) for e in brands)], "message"
    if mentioned and not keeps_focus:
        if len(mentioned) == 1 and (product := brand_as_product(text, mentioned[0], state)) is not None:
            return [product.model_copy(update={"method": "selection", "score": 1.0})], "selection"
        return mentioned, "message"
    if state is not None:
        picked = (select_candidate(text, state.candidates) if state.candidates
                  else select_candidate(text, state.pick_listing, strict=True))
        if picked is not None:
            return [picked.model_copy(update={"method": "selection", "score": 1.0})], "selection"
        if state.focus and not asks_the_store(text):
            kept = [e.model_copy(update={"method": "session"}) for e in state.focus]
            if keeps_focus and any(e.kind == "product" for e in state.focus):
                # the kind asked for beside "it", as on the product's page: "what phones does it
                # work with?" about the watch talked about (the phones were dropped: "I don't know")
                kept += [e for e in mentioned if e.kind == "category" and e.method == "exact" and e.mention
                         and re.match(rf"^\W*(?:what|which)\s+{re.escape(e.mention)}\b", text, re.IGNORECASE)]
            return kept, "session"
    return [], "none"
