"""Hypothesis strategies for hostile or broken citizen input, shared by the REST and WeChat fuzz
tests: random Unicode, control characters, injection strings and huge messages."""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded so that the fuzz tests add well under a minute each on 2 busy cores; the server fixtures
# are session-scoped, hence the health-check exemption.
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

INJECTIONS = [
    "'; DROP TABLE events; --",
    "1' OR '1'='1",
    "\" OR 1=1 UNION SELECT password FROM agents --",
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "</textarea><svg onload=alert(1)>",
    "{{7*7}}",
    "{{ config.items() }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{x}}{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "/request_human",
    "/restart",
    "/session_start",
    '/check_case_status{"case_number": "ZBSP-2026-0101"}',
    '/faq{"agency": "zibo_spj", "x": {"$gt": ""}}',
    "/inform{\"phone_last4\": \"0001\"}",
    '/nlu_fallback{"text": "' + "A" * 500 + '"}',
    "查询进度 ZBSP-2026-0101' OR 1=1 --",
    "%s%s%s%n%x%x",
    "../../../../etc/passwd",
    "\u202e申请公开\u202d",  # bidi overrides
    "\ufeff\u200b\u200d",  # BOM and zero-width characters
    "😀" * 300,
]

CONTROL = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1f), min_size=1,
                  max_size=50)
MIXED = st.text(alphabet=st.one_of(st.characters(min_codepoint=0, max_codepoint=0x1f),
                                   st.characters(codec="utf-8"),
                                   st.sampled_from("申请信息公开多久答复收费复议<>{}[]/\\'\"%$")),
                max_size=300)
HUGE = st.sampled_from(["申" * 34_000,  # ≈100 kB of UTF-8
                        "a" * 100_000,
                        ("<script>" + "信息公开" * 10 + "</script>") * 1_700,
                        "/request_human" * 7_200])


def messages(huge: bool = True) -> st.SearchStrategy[str]:
    parts = [st.text(max_size=300), MIXED, CONTROL, st.sampled_from(INJECTIONS),
             st.builds(lambda a, b: a + b, st.sampled_from(INJECTIONS), st.text(max_size=50))]
    if huge:
        parts.append(HUGE)
    return st.one_of(*parts)


# Any code point, lone surrogates (category Cs) included: what a JSON "\ud800" decodes to.
ANY_CHARACTER = st.characters(exclude_categories=())
SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
ANY_TEXT = st.one_of(
    st.text(alphabet=ANY_CHARACTER, max_size=80),
    st.builds(lambda a, s, b: a + s + b, st.sampled_from(["", "x", "申请", "/greet"]), SURROGATE,
              st.sampled_from(["", "hi", "信息公开多久答复"])),
    st.sampled_from(INJECTIONS))


def json_values(text: st.SearchStrategy[str] = ANY_TEXT) -> st.SearchStrategy:
    """Any JSON value a client can send (strings with lone surrogates included), a few levels
    deep: for fields that should hold a string or an object and may hold anything."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(),
                       st.floats(allow_nan=False, allow_infinity=False), text)
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)), max_leaves=8)
