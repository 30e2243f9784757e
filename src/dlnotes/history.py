"""Milestones of deep learning, 2012-2020: the data behind the table and the timeline of the history page.

Each milestone names its papers by their keys in the bibliography (dlnotes/references.yaml), which
holds their authors, titles, venues and links; tests/test_history.py checks that the tables of both
language pages show exactly these milestones and papers. Dates are those of a paper's first public
version (the arXiv preprint when there is one), because that is when the field saw the idea.
"""
from __future__ import annotations

from dataclasses import dataclass

# The colour groups of the timeline, in legend order.
FIELDS = ("vision", "reinforcement learning", "sequence & language", "optimisation", "generative",
          "self-supervised")


@dataclass(frozen=True)
class Milestone:
    year: int               # first public version of the main paper
    month: int              # 1-12, same source; places the point on the timeline
    name: str               # short name used in the table's first column and on the figure
    field: str              # one of FIELDS
    idea: str               # the idea in a few English words
    paper: str              # bibliography key of the paper the milestone is known by
    related: tuple[str, ...] = ()   # keys of the other papers the page cites in the same row

    @property
    def papers(self) -> tuple[str, ...]:
        """Every key of the row, in the order the table gives them."""
        return (self.paper, *self.related)

    @property
    def date(self) -> float:
        """Position on a time axis in years: the middle of the month."""
        return self.year + (self.month - 0.5) / 12


MILESTONES: tuple[Milestone, ...] = (
    Milestone(2012, 12, "AlexNet", "vision", "deep CNN trained on GPUs", "krizhevsky2012"),
    Milestone(2013, 12, "DQN", "reinforcement learning", "Q-learning with a deep network", "mnih2013",
              ("mnih2015",)),
    Milestone(2014, 6, "GAN", "generative", "generator against discriminator", "goodfellow2014"),
    Milestone(2014, 9, "Seq2seq", "sequence & language", "encoder-decoder for sequences", "sutskever2014",
              ("cho2014", "bahdanau2015")),
    Milestone(2014, 12, "Adam", "optimisation", "adaptive moment estimates", "kingma2015"),
    Milestone(2015, 12, "ResNet", "vision", "residual connections", "he2016"),
    Milestone(2017, 6, "Transformer", "sequence & language", "attention without recurrence", "vaswani2017"),
    Milestone(2018, 10, "BERT", "sequence & language", "masked-LM pre-training, then fine-tuning", "devlin2019"),
    Milestone(2020, 2, "SimCLR", "self-supervised", "contrastive learning of augmented views", "chen2020"),
    Milestone(2020, 5, "GPT-3", "sequence & language", "175B-parameter LM, few-shot prompting", "brown2020",
              ("radford2019",)),
)
