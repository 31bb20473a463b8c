"""The HTTP layer's own small parts, without a server: key parsing, the rate limiter, personal
data masking, policy document parsing and the version gate."""

from __future__ import annotations

import threading
import time

import pytest

from serve.auth import KeyConfigError, KeyRing, Role, extract_key
from serve.logging import mask_pii
from serve.policies import PolicyDraft, PolicyInvalid, parse_document
from serve.ratelimit import RateLimiter
from serve.wiring import VersionGate


def test_keys_from_setting_and_file(tmp_path):
    f = tmp_path / "keys.yaml"
    f.write_text("- {key: merch-key-123456, role: merchandiser, name: team, rate_limit_per_minute: 30}\n")
    ring = KeyRing.from_config("chat-key-1234567:chat:bot, admin-key-1234567:admin", f)
    assert len(ring) == 3
    assert ring.lookup("chat-key-1234567").role is Role.chat
    merch = ring.lookup("merch-key-123456")
    assert merch.name == "team" and merch.rate_limit_per_minute == 30
    assert merch.allows(Role.chat) and merch.allows(Role.merchandiser) and not merch.allows(Role.admin)
    assert ring.lookup("admin-key-1234567").name.startswith("key-")  # unnamed: a digest prefix, never the key
    assert ring.lookup("nope") is None


@pytest.mark.parametrize("text,message", [
    ("k-123456789:wizard", "unknown role 'wizard'"),
    ("short:chat", "too short"),
    ("a:b:c:d", "expected 'key:role'"),
])
def test_bad_key_entries_are_named(text, message):
    with pytest.raises(KeyConfigError, match=message):
        KeyRing.from_config(text)


def test_extract_key():
    assert extract_key("Bearer abc", None) == "abc"
    assert extract_key("Basic abc", None) is None
    assert extract_key(None, " xyz ") == "xyz"


def test_rate_limiter_bursts_then_refills():
    now = [0.0]
    rl = RateLimiter(60, clock=lambda: now[0])
    assert all(rl.check("k").allowed for _ in range(60))
    denied = rl.check("k")
    assert not denied.allowed and RateLimiter.retry_after_header(denied) == "1"
    assert rl.check("other").allowed
    now[0] += 2.0
    assert rl.check("k").allowed and rl.check("k").allowed and not rl.check("k").allowed
    assert all(RateLimiter(600, clock=lambda: 0.0).check("x", per_minute=3).allowed for _ in range(3))


def test_personal_data_is_masked():
    text = "mail jane.doe@example.com, call +1 (415) 555-0132 or 0044 20 7946 0958, card 4111-1111-1111-1111"
    masked = mask_pii(text)
    assert "jane" not in masked and "555" not in masked and "7946" not in masked and "4111" not in masked
    assert "[phone]" in masked and "[email]" in masked and "[card]" in masked  # long phone numbers may read as cards
    kept = "order 12345 on 2025-03-01: 30 days, p000012, 0.75; retrying in 0.438291 seconds, took 1234.56789 ms"
    assert mask_pii(kept) == kept


def test_policy_documents_markdown_html_and_bad_input():
    body, meta = parse_document(PolicyDraft(
        content="---\nid: r1\nkind: returns\nscope: brand\ntarget: orbis\n---\n# Returns\n\n\n\n60 days.", format="markdown"))
    assert body == "# Returns\n\n60 days." and meta == {"id": "r1", "kind": "returns", "scope": "brand", "target": "orbis"}
    body, _ = parse_document(PolicyDraft(content="<h2>Ship</h2><p>In <i>2</i> days</p><script>x()</script>", format="html"))
    assert body.startswith("## Ship") and "x()" not in body
    with pytest.raises(PolicyInvalid, match="no text"):
        parse_document(PolicyDraft(content="---\nkind: returns\n---\n   ", format="markdown"))
    with pytest.raises(PolicyInvalid, match="YAML"):
        parse_document(PolicyDraft(content="---\nkind: [unclosed\n---\nbody", format="markdown"))
    with pytest.raises(PolicyInvalid, match="PDF"):
        parse_document(PolicyDraft(content=b"not a pdf at all", format="pdf"))


def test_version_gate_waits_for_answers_in_flight_and_blocks_new_ones():
    gate = VersionGate()
    events: list[str] = []
    gate.acquire_shared()  # an answer in flight

    def publish():
        gate.acquire_exclusive()
        events.append("swap")
        time.sleep(0.05)
        gate.release_exclusive()

    def late_answer():
        time.sleep(0.05)  # arrives while the publish waits
        gate.acquire_shared()
        events.append("late answer")
        gate.release_shared()

    threads = [threading.Thread(target=publish), threading.Thread(target=late_answer)]
    for t in threads:
        t.start()
    time.sleep(0.15)
    assert events == []  # the swap waits for the answer in flight; the late answer waits for the swap
    events.append("answer done")
    gate.release_shared()
    for t in threads:
        t.join(timeout=5)
    assert events == ["answer done", "swap", "late answer"]
