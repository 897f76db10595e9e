"""The blameless language check: a corpus of blameful and blameless sentences with exact spans,
what is not checked (quotes, code, block quotes, URLs), names, Unicode and the rules format."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import replace

import pytest

from incidentdesk.core.errors import DomainError
from incidentdesk.core.postmortem.blameless import (
    CATEGORIES,
    Checker,
    Finding,
    Rule,
    RulesError,
    parse_rules,
    unchecked_regions,
    utf16_offset,
)
from incidentdesk.infra.rules import load_rules

PEOPLE = ("Alice", "Bob", "Carol", "Dave", "Zoë", "José", "Łukasz", "Maya Chen")


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(load_rules(), PEOPLE)


def found(checker: Checker, text: str) -> list[tuple[str, str]]:
    """(category, matched text) of each finding, after checking every span is exact."""
    findings = checker.check(text)
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    return [(f.category, f.text) for f in findings]


BLAMEFUL: list[tuple[str, list[tuple[str, str]]]] = [
    # a named person as the subject of a mistake
    ("Alice broke the deploy.", [("named-person", "Alice broke")]),
    ("Bob forgot to rotate the credentials.", [("named-person", "Bob forgot to")]),
    ("It was Carol's mistake.", [("named-person", "Carol's mistake")]),
    ("The outage was a mistake by Dave.", [("named-person", "mistake by Dave")]),
    ("Dave messed up the migration.", [("named-person", "Dave messed up")]),
    ("Alice failed to notice the alert.", [("named-person", "Alice failed to")]),
    ("Zoë accidentally deleted the volume.", [("named-person", "Zoë accidentally deleted")]),
    ("José's error took the cluster down.", [("named-person", "José's error")]),
    ("Łukasz didn't check the dashboard.", [("named-person", "Łukasz didn't check")]),
    ("Maya should have waited for the canary.", [("named-person", "Maya should have")]),
    ("Maya Chen made a simple mistake.", [("named-person", "Maya Chen made a simple mistake")]),
    ("It was Bob's fault.", [("named-person", "Bob's fault")]),
    ("Bob’s mistake cost an hour.", [("named-person", "Bob’s mistake")]),
    ("The outage was blamed on Carol.", [("named-person", "blamed on Carol")]),
    ("Alice had just forgotten to renew it.", [("named-person", "Alice had just forgotten to")]),
    # blame and judgement
    ("The engineer was careless with the flag.", [("blame", "careless")]),
    ("This was negligent.", [("blame", "negligent")]),
    ("An incompetent change went out.", [("blame", "incompetent")]),
    ("The review was sloppy.", [("blame", "sloppy")]),
    ("A lazy workaround stayed in place.", [("blame", "lazy")]),
    ("Deploying on a Friday was reckless.", [("blame", "reckless")]),
    ("It was their fault that the backup was stale.", [("blame", "their fault")]),
    ("It was the intern's fault.", [("blame", "intern's fault")]),
    ("Someone should be blamed for this.", [("blame", "blamed")]),
    ("The operator was at fault.", [("blame", "at fault")]),
    ("He was not paying attention to the graphs.", [("blame", "not paying attention")]),
    ("Blame lies with the release process.", [("blame", "Blame")]),
    # counterfactuals and hindsight
    ("We should have caught this in staging.", [("counterfactual", "should have")]),
    ("The team could have rolled back sooner.", [("counterfactual", "could have")]),
    ("A second reviewer would have spotted it.", [("counterfactual", "would have")]),
    ("Nobody should've merged that.", [("counterfactual", "should've")]),
    ("We failed to update the runbook.", [("counterfactual", "We failed to")]),
    ("We neglected to renew the domain.", [("counterfactual", "We neglected to")]),
    (
        "The on-call engineer failed to escalate.",
        [("counterfactual", "The on-call engineer failed to")],
    ),
    ("Why didn't anyone page the database team?", [("counterfactual", "Why didn't")]),
    ("If only the alert had fired.", [("counterfactual", "If only")]),
    ("They obviously should have tested it.", [("counterfactual", "obviously should have")]),
    # minimizing
    ("You just restart the service.", [("minimizing", "just")]),
    ("Simply roll back the release.", [("minimizing", "Simply")]),
    ("Obviously the config was wrong.", [("minimizing", "Obviously")]),
    ("Clearly nobody read the warning.", [("minimizing", "Clearly")]),
    ("Of course the cache was stale.", [("minimizing", "Of course")]),
    ("It was an easy fix.", [("minimizing", "an easy fix")]),
    ("The release was just a one-line change.", [("minimizing", "was just a")]),
    ("That step should be trivial.", [("minimizing", "be trivial")]),
    # single root cause
    ("The root cause was a full disk.", [("root-cause", "The root cause was")]),
    ("An expired certificate was the root cause.", [("root-cause", "was the root cause")]),
    ("The root cause of the outage is unclear.", [("root-cause", "The root cause of")]),
    ("The primary cause was a bad deploy.", [("root-cause", "The primary cause")]),
    ("Root cause: an expired certificate.", [("root-cause", "Root cause:")]),
    # human error
    ("This was human error.", [("human-error", "human error")]),
    ("The outage was caused by operator error.", [("human-error", "operator error")]),
    ("Classic user error on the admin console.", [("human-error", "user error")]),
    ("A fat-fingered command removed the route.", [("human-error", "fat-fingered")]),
    (
        "The failover was delayed by a mistake by the on-call engineer.",
        [("human-error", "mistake by the on-call engineer")],
    ),
    # several in one sentence, in order
    (
        "Obviously we should have just checked; it was human error.",
        [
            ("minimizing", "Obviously"),
            ("counterfactual", "should have"),
            ("human-error", "human error"),
        ],
    ),
]

BLAMELESS = [
    "The just-in-time compiler warmed up slowly.",
    "The JIT cache was cold after the restart.",
    "We had to adjust the rate limits.",
    "The data justify a second replica.",
    "Fault tolerance kept the queue alive.",
    "The fault-tolerant design absorbed the node loss.",
    "A faulty disk on db-3 caused write errors.",
    "Faulty hardware in rack 12 was replaced.",
    "It was nobody's fault.",
    "It was no one's fault.",
    "The team held a root cause analysis on Tuesday.",
    "Our root cause analysis template has five sections.",
    "The root causes were a stale cache and a missing alert.",
    "The pod failed to start because the secret was missing.",
    "The job failed to acquire a lock.",
    "Alice rolled back the deploy at 14:05.",
    "Bob paged the database team.",
    "The alert fired just after 14:00.",
    "The pod had just restarted when traffic spiked.",
    "Recovery took just over ten minutes.",
    "We added a canary stage just in case.",
    "The certificate expired at midnight.",
    "Several contributing factors combined.",
    "User error rates rose to 4%.",
    "The runbook is clearly labelled now.",
    "We will make rollback easy to run from the dashboard.",
    "The page fault rate on the host doubled.",
    "Fault injection tests run weekly.",
    "The lazy loading of modules delayed start-up.",
    "The sloppy quorum accepted the write.",
    "Human factors research informs our on-call design.",
    "Monitoring did not cover replica lag.",
    "The tests did not exercise the failover path.",
    "Alice acknowledged the page within two minutes.",
    "The blameless review found three contributing factors.",
    "We run a no-blame review after every SEV1.",
    "The load balancer kept sending traffic to the drained node.",
    "Retries multiplied the load on the payments API by four.",
    "Zoë restarted the consumer group.",
    "Thanks to Carol, the incident was resolved quickly.",
    "José wrote the status page update.",
    "Łukasz noticed the disk alarm at 03:10.",
    "Recovery was slower because the runbook was out of date.",
    "The migration must have held a lock for minutes.",
    "Alicia forgot her badge, which did not matter.",  # Alicia is not Alice
    "Bobby broke his record for the fastest failover.",  # nor is Bobby Bob
    "alice forgot nothing: the name is written with a capital.",
    "The on-call engineer escalated to the storage team.",
    "What made the failover slow was the DNS TTL.",
    "Dashboards showed the queue depth but not its age.",
]


@pytest.mark.parametrize(("text", "expected"), BLAMEFUL, ids=[t for t, _ in BLAMEFUL])
def test_blameful_sentences_are_flagged_with_exact_spans(
    checker: Checker, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(checker, text) == expected


@pytest.mark.parametrize("text", BLAMELESS)
def test_blameless_sentences_are_not_flagged(checker: Checker, text: str) -> None:
    assert found(checker, text) == []


def test_the_corpus_covers_every_category() -> None:
    assert len(BLAMEFUL) >= 40 and len(BLAMELESS) >= 40
    assert {category for _, expected in BLAMEFUL for category, _ in expected} == set(CATEGORIES)


def test_a_finding_carries_its_rule_explanation_suggestion_line_and_column(
    checker: Checker,
) -> None:
    text = "# Review\n\nAll good.\n  Then Alice broke the deploy."
    [finding] = checker.check(text)
    assert finding == Finding(
        rule_id="named-person.did-mistake",
        category="named-person",
        start=text.index("Alice"),
        end=text.index(" the deploy"),
        text="Alice broke",
        explanation=finding.explanation,
        suggestion=finding.suggestion,
        line=4,
        column=8,
    )
    assert "describe the action and the system that allowed it" in finding.suggestion.lower()
    assert finding.explanation


def test_one_finding_where_rules_cover_the_same_words(checker: Checker) -> None:
    # "failed to" (counterfactual) inside "Alice failed to"; "fault" inside "Bob's fault";
    # "blamed" inside "blamed on Carol": one underline each, the specific one.
    text = "Alice failed to see it. It was Bob's fault. It was blamed on Carol."
    assert [f.rule_id for f in checker.check(text)] == [
        "named-person.did-mistake",
        "named-person.possessive-mistake",
        "named-person.blame-on",
    ]


def test_the_check_is_deterministic(checker: Checker) -> None:
    text = "\n\n".join(sentence for sentence, _ in BLAMEFUL) * 3
    assert checker.check(text) == checker.check(text) == Checker(load_rules(), PEOPLE).check(text)


# --- what is not checked -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'The customer wrote "you should have warned us" in the ticket.',
        "The ticket said “we obviously should have known”.",
        "Le client a écrit « just restart it » dans le ticket.",
        "Er schrieb „just restart it“ im Chat.",
        "The runbook's title is 'Just restart it' and it is out of date.",
        "The runbook’s title is ‘Just restart it’ and it is out of date.",
        "Run `just deploy` to ship.",
        "Run ``echo `just` `` in the shell.",
        "See https://wiki.example.com/should-have-known and www.example.com/just-fix.",
        "See [the runbook](https://wiki.example.com/just-restart) for details.",
        "See <https://wiki.example.com/simply-restart>.",
        "<!-- obviously a draft: Alice broke it -->\nThe deploy rolled back.",
    ],
)
def test_quotations_code_urls_and_comments_are_not_flagged(checker: Checker, text: str) -> None:
    assert found(checker, text) == []


def test_an_apostrophe_is_not_a_quotation(checker: Checker) -> None:
    assert found(checker, "It's just a bug, isn't it? That's obviously wrong.") == [
        ("minimizing", "just"),
        ("minimizing", "obviously"),
    ]


def test_an_unmatched_quotation_mark_hides_nothing(checker: Checker) -> None:
    text = 'The 3.5" drive was full.\n\nWe should have cleaned it.'
    assert found(checker, text) == [("counterfactual", "should have")]


def test_a_quotation_does_not_run_past_its_paragraph(checker: Checker) -> None:
    text = 'He said "restart it.\n\nObviously the cache was stale. "Fine" he said.'
    assert found(checker, text) == [("minimizing", "Obviously")]


def test_quoted_chat_logs_are_not_flagged(checker: Checker) -> None:
    text = (
        "From the incident channel:\n"
        "\n"
        "> **Alice**: I just restarted it, obviously\n"
        "> **Bob**: why didn't the alert fire? should have paged\n"
        ">\n"
        "> **Carol**: that was careless of me\n"
        "\n"
        "The alert did not fire because its query should have used the new label.\n"
    )
    assert found(checker, text) == [("counterfactual", "should have")]
    assert checker.check(text)[0].line == 8


def test_code_blocks_are_not_flagged(checker: Checker) -> None:
    text = (
        "```bash\n"
        "# we should have just restarted\n"
        "kubectl rollout undo deploy/api  # obviously\n"
        "```\n"
        "\n"
        "~~~~\n"
        "simply run it\n"
        "~~~~\n"
        "\n"
        "    # an indented code block: just restart\n"
        "    systemctl restart api\n"
        "\n"
        "Obviously the fix worked.\n"
    )
    assert found(checker, text) == [("minimizing", "Obviously")]


def test_an_unclosed_fence_hides_the_rest_as_markdown_does(checker: Checker) -> None:
    text = "Simply put:\n\n```\nobviously\nwe should have"
    assert found(checker, text) == [("minimizing", "Simply")]


def test_a_list_continuation_is_not_an_indented_code_block(checker: Checker) -> None:
    text = "- First item\n\n    Obviously it continues the item.\n"
    assert found(checker, text) == [("minimizing", "Obviously")]


def test_text_after_a_code_block_is_checked(checker: Checker) -> None:
    text = "Intro.\n\n    code here\nObviously this line is a paragraph again.\n"
    # A non-indented line after an indented block ends the block.
    assert found(checker, text) == [("minimizing", "Obviously")]


def test_unchecked_regions_are_reported(checker: Checker) -> None:
    text = 'A `code` span and "a quote".'
    assert [text[a:b] for a, b in unchecked_regions(text)] == ["`code`", '"a quote"']


# --- names and Unicode ---------------------------------------------------------------------


def test_named_person_rules_need_names() -> None:
    assert Checker(load_rules()).check("Alice broke the deploy.") == []


def test_a_full_name_also_matches_by_its_first_word(checker: Checker) -> None:
    assert found(checker, "Maya Chen forgot to renew it. Maya forgot again.") == [
        ("named-person", "Maya Chen forgot to"),
        ("named-person", "Maya forgot"),
    ]


def test_a_name_in_decomposed_unicode_matches() -> None:
    checker = Checker(load_rules(), ["José"])
    text = unicodedata.normalize("NFD", "José broke the deploy.")
    assert found(checker, text) == [("named-person", unicodedata.normalize("NFD", "José broke"))]


def test_a_name_is_a_whole_word_even_before_a_combining_mark() -> None:
    # "Jose" + combining acute is "José", not the person "Jose".
    checker = Checker(load_rules(), ["Jose"])
    assert checker.check("Jose\u0301 broke the deploy.") == []
    assert found(checker, "Jose broke the deploy.") == [("named-person", "Jose broke")]


def test_names_with_regex_characters_are_literal() -> None:
    checker = Checker(load_rules(), ["D'Arcy (ops)", "A.B", "", "  "])
    assert found(checker, "D'Arcy (ops) forgot to renew it.") == [
        ("named-person", "D'Arcy (ops) forgot to")
    ]
    assert checker.check("AxB forgot to renew it.") == []


@pytest.mark.parametrize(
    "prefix",
    [
        "😀🔥 ",  # astral characters: one Python character each
        "\u200f\u202eטקסט\u202c ",  # right-to-left marks and text
        "e\u0301e\u0301\u0301 ",  # combining marks
        "👩🏽‍💻 ",  # a zero-width-joiner sequence
        "İstanbul ",  # lower-cases to two characters
        "\r\n",
    ],
)
def test_spans_stay_exact_after_odd_unicode(checker: Checker, prefix: str) -> None:
    text = prefix + "We should have checked. Alice broke it. Obviously."
    findings = checker.check(text)
    assert [f.text for f in findings] == ["should have", "Alice broke", "Obviously"]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text


def test_utf16_offsets_count_astral_characters_twice() -> None:
    text = "😀 just"
    assert utf16_offset(text, text.index("just")) == 3
    assert utf16_offset("plain just", 6) == 6


def test_case_folding_characters_keep_matching() -> None:
    # "ſ" (long s) equals "s" when case is ignored, though "ſ".lower() keeps it.
    checker = Checker([Rule("t.careless", "blame", r"\bcareless\b", "x", "y")])
    assert [f.text for f in checker.check("careleſs and CARELESS")] == ["careleſs", "CARELESS"]


# --- the rules format ----------------------------------------------------------------------

GOOD = """
[lists]
verb = ['broke', 'forgot']

[[rule]]
id = "x.one"
category = "minimizing"
pattern = '\\bbasically\\b'
explanation = "Minimizes."
suggestion = "Drop it."

[[rule]]
id = "x.two"
category = "named-person"
pattern = '{person}\\s+{verb}'
explanation = "Names a person."
suggestion = "Describe the action."
"""


def test_parse_rules_expands_lists_and_keeps_the_person_placeholder() -> None:
    one, two = parse_rules(GOOD, "team.toml")
    assert one == Rule("x.one", "minimizing", r"\bbasically\b", "Minimizes.", "Drop it.")
    assert two.pattern == r"{person}\s+(?:broke|forgot)"
    checker = Checker([one, two], ["Ann"])
    assert [f.text for f in checker.check("Basically, Ann forgot.")] == ["Basically", "Ann forgot"]


def _bad(field_line: str, replacement: str) -> str:
    assert field_line in GOOD
    return GOOD.replace(field_line, replacement, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]\nid=1", "team.toml is not valid TOML"),
        (
            _bad("pattern = '\\bbasically\\b'", "pattern = '(basically'"),
            "team.toml, rule 'x.one' (line 5), field 'pattern' is not a valid regular expression",
        ),
        (
            _bad('category = "minimizing"', 'category = "snark"'),
            "team.toml, rule 'x.one' (line 5): the field 'category' must be one of",
        ),
        (
            _bad('suggestion = "Drop it."', ""),
            "team.toml, rule 'x.one' (line 5): the field 'suggestion' is missing or empty",
        ),
        (
            _bad('explanation = "Names a person."', 'explanation = "  "'),
            "team.toml, rule 'x.two' (line 12): the field 'explanation' is missing or empty",
        ),
        (
            _bad('suggestion = "Drop it."', 'suggestion = "Drop it."\nsugestion = "x"'),
            "team.toml, rule 'x.one' (line 5): unknown field 'sugestion'",
        ),
        (
            _bad("pattern = '{person}\\s+{verb}'", "pattern = '{person}\\s+{verbs}'"),
            "team.toml, rule 'x.two' (line 12): the field 'pattern' names an unknown list",
        ),
        (
            _bad("pattern = '\\bbasically\\b'", "pattern = '(?:basically)?'"),
            "team.toml, rule 'x.one' (line 5): the field 'pattern' matches empty text",
        ),
        (
            _bad('id = "x.two"', 'id = "x.one"'),
            "team.toml, rule 'x.one' (line 12): the id is used twice",
        ),
        (
            _bad('id = "x.one"', 'id = "x one"'),
            "team.toml, rule 'x one' (line 5): the field 'id' may hold only",
        ),
        (
            _bad('id = "x.one"', ""),
            "team.toml, rule 1 (line 5): the field 'id' is missing or empty",
        ),
        (
            _bad("verb = ['broke', 'forgot']", "verb = ['broke', '(forgot']"),
            "team.toml, list 'verb', item '(forgot' is not a valid regular expression",
        ),
        (GOOD + "\n[extra]\n", "team.toml: unknown top-level key 'extra'"),
    ],
)
def test_a_malformed_rules_file_gets_a_located_error(text: str, message: str) -> None:
    with pytest.raises(RulesError) as raised:
        parse_rules(text, "team.toml")
    assert str(raised.value).startswith(message), str(raised.value)
    assert "\n" not in str(raised.value)
    assert isinstance(raised.value, DomainError)


def test_a_rule_may_match_case_where_it_says_so() -> None:
    rules = parse_rules(
        GOOD.replace("'\\bbasically\\b'", "'\\b(?-i:OK)\\b'"),
        "team.toml",
    )
    assert [f.text for f in Checker(rules).check("ok OK Ok")] == ["OK"]


MANY_PEOPLE = (*PEOPLE, *(f"{first} {last}" for first in ("Ann", "Ola", "Ming", "Kwame", "Sven",
    "Ana", "Oleksandr", "Aiko", "Rafael", "Ngozi") for last in ("Smith", "Kowalska", "Okoro",
    "Ruiz", "Tanaka", "Nielsen", "Ali", "Dubois", "Rossi", "Ivanova")))  # fmt: skip


@pytest.mark.parametrize("people", [PEOPLE, MANY_PEOPLE], ids=["8 names", "108 names"])
def test_the_quick_pass_finds_what_a_full_search_finds(people: tuple[str, ...]) -> None:
    # The checker tries a rule only where its literals occur; without that shortcut every
    # rule searches the whole text. Both must agree on a long, mixed document.
    rng = random.Random(6)
    sentences = [text for text, _ in BLAMEFUL] + BLAMELESS
    sentences += [f"{name.split()[0]} forgot to check. It was {name}'s fault." for name in people]
    blocks = []
    for _ in range(400):
        chosen = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 5)))
        shape = rng.choice(["{}", "- {}", "> {}", "## {}", "`x` {} `y`", '"{}" {}'])
        blocks.append(shape.format(chosen, rng.choice(sentences)))
    text = "\n\n".join(blocks)
    quick = Checker(load_rules(), people)
    full = Checker(load_rules(), people)
    full._compiled = [replace(c, literals=None, prefixes=None, finder=None) for c in full._compiled]
    found = quick.check(text)
    assert len(found) > 300
    assert sum(f.category == "named-person" for f in found) > 50
    assert found == full.check(text)
