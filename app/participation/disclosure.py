"""Words that may mean a young person is being harmed, or is in danger: the maintained list.

A message that matches any of these is flagged for urgent review by a participation lead, even if
the young person did not tick "I don't feel safe". It is deliberately cautious: a false alarm
costs a lead a few minutes; a missed disclosure could cost a child. Add a phrase here (with a test
in tests/participation/test_disclosure.py) when the leads see one the list missed.

Matching ignores case, punctuation and extra spaces, and allows simple word endings ("hit" finds
"hits" and "hitting"), so young people need not spell things the way adults expect.
"""

from __future__ import annotations

import re
import unicodedata

# (what it is about, phrases). A phrase is words separated by spaces; a trailing * allows any
# ending ("hurt*" also finds "hurting").
DISCLOSURE_PHRASES: dict[str, tuple[str, ...]] = {
    "being hurt": (
        "hurt* me",
        "hits me",
        "hit me",
        "hitting me",
        "beat* me",
        "punch* me",
        "kick* me",
        "slap* me",
        "bruise*",
        "burn* me",
        "chok* me",
        "strangl*",
        "threaten* me",
        "threaten* to kill",
        "kill me",
        "going to kill",
        "scared of my",
        "scared of him",
        "scared of her",
        "afraid of my",
        "afraid to go home",
    ),
    "not safe at home": (
        "not safe",
        "dont feel safe",
        "don t feel safe",
        "unsafe",
        "no food",
        "nothing to eat",
        "locked me",
        "locks me",
        "kicked me out",
        "kicked out",
        "nowhere to sleep",
        "nowhere to stay",
        "home alone",
        "left alone",
        "drunk all the time",
        "drugs at home",
    ),
    "abuse": (
        "abus*",
        "touch* me",
        "touched me",
        "inappropriate*",
        "sexual*",
        "rape*",
        "raped",
        "groom*",
        "send pictures",
        "sent pictures",
        "nudes",
        "made me do",
        "makes me do",
        "secret touching",
        "exploit*",
    ),
    "self-harm or suicide": (
        "self harm*",
        "selfharm*",
        "cut myself",
        "cutting myself",
        "cuts myself",
        "hurt myself",
        "hurting myself",
        "kill myself",
        "suicid*",
        "end it all",
        "end my life",
        "want to die",
        "wanna die",
        "better off dead",
        "overdose*",
    ),
    "running away or missing": (
        "run away",
        "ran away",
        "running away",
        "runaway",
        "go missing",
        "went missing",
        "going missing",
    ),
    "bullying or threats": (
        "bullied",
        "bully me",
        "bullying me",
        "blackmail*",
        "threats",
        "gang*",
        "knife",
        "stabbed",
    ),
}


def normalise(text: str) -> str:
    """Lower case, accents and punctuation gone, one space between words."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return f" {text.strip()} "


def _pattern(phrase: str) -> re.Pattern:
    words = []
    for word in phrase.split():
        if word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"[a-z]*")
        else:
            # Simple endings: hit → hits, hitting; scare → scared.
            words.append(re.escape(word) + r"(?:s|es|ed|d|ing|ting|ping|ning)?")
    return re.compile(r"(?<= )" + " ".join(words) + r"(?= )")


_PATTERNS = [(topic, _pattern(phrase)) for topic, phrases in DISCLOSURE_PHRASES.items() for phrase in phrases]


def disclosure_topics(*texts: str) -> list[str]:
    """What the words may be about ("being hurt", "self-harm or suicide"…), in list order."""
    combined = " ".join(normalise(t) for t in texts)
    found: list[str] = []
    for topic, pattern in _PATTERNS:
        if topic not in found and pattern.search(combined):
            found.append(topic)
    return found
