"""A/B test results per variant: texts sent, replies within 24 h, qualification and opt-outs,
with 95% confidence intervals and a plain verdict on whether a difference is real yet."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from conversations.models import Direction, Message
from experiments.models import Assignment, Experiment, Variant
from leads.models import LeadEvent
from reporting.stats import rate, sample_size_per_arm, two_proportion_p_value, wilson_interval

WINDOW = timedelta(hours=24)
CONFIDENCE = 0.95
# Below this many texts per variant a z-test says little; the verdict waits.
MIN_SENDS = 30


@dataclass
class Outcome:
    count: int
    sends: int

    @property
    def rate(self) -> float | None:
        return rate(self.count, self.sends)

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.count, self.sends, CONFIDENCE)

    def __str__(self) -> str:
        """ "12 of 80: 15.0% (95% CI 8.8-24.4%)"."""
        if not self.sends:
            return "—"
        low, high = self.interval
        return f"{self.count} of {self.sends}: {self.rate:.1%} (95% CI {low:.1%} to {high:.1%})"


@dataclass
class VariantResult:
    variant: Variant
    assigned: int
    sends: int
    replies: Outcome
    qualified: Outcome
    opt_outs: Outcome


def experiment_results(experiment: Experiment) -> list[VariantResult]:
    variants = list(experiment.variants.order_by("id"))
    assignments = Assignment.objects.filter(experiment=experiment)
    assigned = defaultdict(int)
    for variant_id in assignments.values_list("variant_id", flat=True):
        assigned[variant_id] += 1
    sent = list(
        assignments.filter(message__sent_at__isnull=False).values_list(
            "variant_id", "lead_id", "message__sent_at"
        )
    )
    timelines = _timelines({lead_id for _, lead_id, _ in sent})
    tallies = defaultdict(lambda: [0, 0, 0, 0])  # sends, replies, qualified, opt-outs
    for variant_id, lead_id, sent_at in sent:
        replies, qualified, opted_out = timelines[lead_id]
        tally = tallies[variant_id]
        tally[0] += 1
        tally[1] += any(sent_at < at <= sent_at + WINDOW for at in replies)
        tally[2] += any(at >= sent_at for at in qualified)
        tally[3] += any(sent_at <= at <= sent_at + WINDOW for at in opted_out)
    return [_result(v, assigned[v.pk], tallies[v.pk]) for v in variants]


def _result(variant: Variant, assigned: int, tally: list[int]) -> VariantResult:
    sends, replies, qualified, opt_outs = tally
    return VariantResult(
        variant=variant,
        assigned=assigned,
        sends=sends,
        replies=Outcome(replies, sends),
        qualified=Outcome(qualified, sends),
        opt_outs=Outcome(opt_outs, sends),
    )


def _timelines(lead_ids: set) -> dict:
    """Per lead: when they texted us, when they became qualified, when they opted out."""
    timelines = defaultdict(lambda: ([], [], []))
    for lead_id, at in Message.objects.filter(lead_id__in=lead_ids, direction=Direction.INBOUND).values_list(
        "lead_id", "created_at"
    ):
        timelines[lead_id][0].append(at)
    events = LeadEvent.objects.filter(lead_id__in=lead_ids, type__in=("status_changed", "opted_out"))
    for lead_id, type_, at, data in events.values_list("lead_id", "type", "created_at", "data"):
        if type_ == "opted_out":
            timelines[lead_id][2].append(at)
        elif data.get("to") == "qualified":
            timelines[lead_id][1].append(at)
    return timelines


def verdicts(results: list[VariantResult]) -> list[str]:
    """One plain sentence per variant compared with the first (the control)."""
    if len(results) < 2:
        return []
    control, others = results[0], results[1:]
    alpha = (1 - CONFIDENCE) / len(others)  # Bonferroni: several comparisons, one error budget
    return [_verdict(control, other, alpha) for other in others]


def _verdict(control: VariantResult, other: VariantResult, alpha: float) -> str:
    a, b = control.variant.name, other.variant.name
    if min(control.sends, other.sends) < MIN_SENDS:
        return (
            f"{b} vs {a}: too early to tell ({other.sends} and {control.sends} texts sent; "
            f"wait for at least {MIN_SENDS} each)."
        )
    ra, rb = control.replies.rate, other.replies.rate
    p = two_proportion_p_value(other.replies.count, other.sends, control.replies.count, control.sends)
    shown_p = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    figures = f"{rb:.1%} vs {ra:.1%} replied within 24 h, {shown_p}"
    if p < alpha:
        direction = "more" if rb > ra else "fewer"
        sentence = f"{b} gets {direction} replies than {a} ({figures}): the difference is real at {CONFIDENCE:.0%} confidence."
    else:
        needed = sample_size_per_arm(ra, rb, alpha=alpha)
        more = f" At this gap, about {needed:,} texts per variant would tell." if needed else ""
        sentence = f"No real difference yet between {b} and {a} ({figures}): it may be chance.{more}"
    return sentence + _opt_out_warning(control, other, alpha)


def _opt_out_warning(control: VariantResult, other: VariantResult, alpha: float) -> str:
    p = two_proportion_p_value(other.opt_outs.count, other.sends, control.opt_outs.count, control.sends)
    if p is None or p >= alpha or other.opt_outs.rate <= control.opt_outs.rate:
        return ""
    return (
        f" Careful: {other.variant.name} also makes more borrowers opt out "
        f"({other.opt_outs.rate:.1%} vs {control.opt_outs.rate:.1%})."
    )


def best_variant(results: list[VariantResult]) -> Variant | None:
    """The variant with the highest reply rate so far (ties: the first)."""
    sent = [r for r in results if r.sends]
    return max(sent, key=lambda r: r.replies.rate).variant if sent else None
