"""Milestones of deep learning, 2012-2020: the data behind the table and the timeline of the history page.

Both language pages repeat this table by hand; tests/test_history.py checks that their years, names
and links are exactly these. Dates are those of a paper's first public version (the arXiv preprint
when there is one), because that is when the field saw the idea; `venue` says where it was published.
"""
from __future__ import annotations

from dataclasses import dataclass

# The colour groups of the timeline, in legend order.
FIELDS = ("vision", "reinforcement learning", "sequence & language", "optimisation", "generative",
          "self-supervised")


@dataclass(frozen=True)
class Paper:
    title: str
    authors: str            # as cited on the page: up to four surnames, otherwise "First et al."
    venue: str              # where it appeared, with the year: "NIPS 2014", "Nature 2015"
    url: str


@dataclass(frozen=True)
class Milestone:
    year: int               # first public version of the main paper
    month: int              # 1-12, same source; places the point on the timeline
    name: str               # short name used in the table's first column and on the figure
    field: str              # one of FIELDS
    idea: str               # the idea in a few English words
    paper: Paper            # the paper the milestone is known by
    related: tuple[Paper, ...] = ()   # other papers the page cites in the same row

    @property
    def links(self) -> tuple[str, ...]:
        """Every URL of the row, in the order the table gives them."""
        return (self.paper.url, *(p.url for p in self.related))

    @property
    def date(self) -> float:
        """Position on a time axis in years: the middle of the month."""
        return self.year + (self.month - 0.5) / 12


def arxiv(identifier: str) -> str:
    return f"https://arxiv.org/abs/{identifier}"


def link_label(url: str) -> str:
    """The text the table shows for a link: the arXiv id or DOI when there is one."""
    for prefix, label in (("https://arxiv.org/abs/", "arXiv:"), ("https://doi.org/", "doi:")):
        if url.startswith(prefix):
            return label + url.removeprefix(prefix)
    return "PDF" if url.endswith(".pdf") else "proceedings"


MILESTONES: tuple[Milestone, ...] = (
    Milestone(2012, 12, "AlexNet", "vision", "deep CNN trained on GPUs",
              Paper("ImageNet Classification with Deep Convolutional Neural Networks",
                    "Krizhevsky, Sutskever, Hinton", "NIPS 2012",
                    "https://proceedings.neurips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html")),
    Milestone(2013, 12, "DQN", "reinforcement learning", "Q-learning with a deep network",
              Paper("Playing Atari with Deep Reinforcement Learning", "Mnih et al.",
                    "NIPS Deep Learning Workshop 2013", arxiv("1312.5602")),
              (Paper("Human-level control through deep reinforcement learning", "Mnih et al.", "Nature 2015",
                     "https://doi.org/10.1038/nature14236"),)),
    Milestone(2014, 6, "GAN", "generative", "generator against discriminator",
              Paper("Generative Adversarial Nets", "Goodfellow et al.", "NIPS 2014", arxiv("1406.2661"))),
    Milestone(2014, 9, "Seq2seq", "sequence & language", "encoder-decoder for sequences",
              Paper("Sequence to Sequence Learning with Neural Networks", "Sutskever, Vinyals, Le", "NIPS 2014",
                    arxiv("1409.3215")),
              (Paper("Learning Phrase Representations using RNN Encoder-Decoder for Statistical Machine "
                     "Translation", "Cho et al.", "EMNLP 2014", arxiv("1406.1078")),
               Paper("Neural Machine Translation by Jointly Learning to Align and Translate",
                     "Bahdanau, Cho, Bengio", "ICLR 2015", arxiv("1409.0473")))),
    Milestone(2014, 12, "Adam", "optimisation", "adaptive moment estimates",
              Paper("Adam: A Method for Stochastic Optimization", "Kingma, Ba", "ICLR 2015", arxiv("1412.6980"))),
    Milestone(2015, 12, "ResNet", "vision", "residual connections",
              Paper("Deep Residual Learning for Image Recognition", "He, Zhang, Ren, Sun", "CVPR 2016",
                    arxiv("1512.03385"))),
    Milestone(2017, 6, "Transformer", "sequence & language", "attention without recurrence",
              Paper("Attention Is All You Need", "Vaswani et al.", "NIPS 2017", arxiv("1706.03762"))),
    Milestone(2018, 10, "BERT", "sequence & language", "masked-LM pre-training, then fine-tuning",
              Paper("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
                    "Devlin, Chang, Lee, Toutanova", "NAACL 2019", arxiv("1810.04805"))),
    Milestone(2020, 2, "SimCLR", "self-supervised", "contrastive learning of augmented views",
              Paper("A Simple Framework for Contrastive Learning of Visual Representations",
                    "Chen, Kornblith, Norouzi, Hinton", "ICML 2020", arxiv("2002.05709"))),
    Milestone(2020, 5, "GPT-3", "sequence & language", "175B-parameter LM, few-shot prompting",
              Paper("Language Models are Few-Shot Learners", "Brown et al.", "NeurIPS 2020", arxiv("2005.14165")),
              (Paper("Language Models are Unsupervised Multitask Learners", "Radford et al.",
                     "OpenAI report 2019",
                     "https://cdn.openai.com/better-language-models/"
                     "language_models_are_unsupervised_multitask_learners.pdf"),)),
)
