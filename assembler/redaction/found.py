"""What the redaction check finds: a run of words a reader cannot see."""

from dataclasses import dataclass

OUTSIDE_THE_PAGE = "outside the page"  # how a character off the page is said to be hidden
SHOWN_WORDS = 2  # covered words a message repeats whole; of the next, its first letter; the rest is masked


@dataclass(frozen=True)
class Covered:
    """Words in a paper that a machine can read but a reader cannot see.

    ``words``: the covered text; ``how``: why it is not seen, as a message
    says it ("under a black box"); ``page``: the paper's page (from 1), or
    None where a paper has no pages of its own (a Word report).
    """

    words: str
    how: str
    page: int | None = None

    def __str__(self):
        return f'"{self.shown}" {self.how}' + (f" on page {self.page}" if self.page else "")

    @property
    def shown(self):
        """The first few words, the rest masked: "Mrs J S…" of "Mrs J Smith"; one word, its
        first three characters ("£12…")."""
        words = self.words.split()
        if len(words) == 1:
            return words[0] if len(words[0]) <= 3 else words[0][:3] + "…"
        whole = min(SHOWN_WORDS, len(words) - 1)
        return " ".join(words[:whole] + [words[whole][0] + "…"])
