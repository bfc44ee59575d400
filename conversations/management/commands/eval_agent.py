from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from conversations.qualification import evaluation
from conversations.qualification.runner import BACKENDS

TARGETS = "targets: fields >= 95%, endings >= 93%, 0 guardrail breaks, <= 1 awkward per 6 conversations, hot offered after <= 4 texts"


class Command(BaseCommand):
    help = (
        "Play the written borrowers through the agent; print, per category, fields and endings right, "
        "guardrail breaks, awkward replies and borrower texts until a hot borrower is offered to an officer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=BACKENDS, default="scripted")
        parser.add_argument("--file", default=str(evaluation.DEFAULT_PATH))
        parser.add_argument("--split", default="dev", help="dev (default), holdout, or all")
        parser.add_argument("--show-errors", action="store_true", help="Print each miss with its transcript")

    def handle(self, *args, backend, file, split, show_errors, **options):
        if backend == "claude" and not settings.ANTHROPIC_API_KEY:
            raise CommandError("--backend claude needs ANTHROPIC_API_KEY (and ANTHROPIC_MODEL).")
        try:
            conversations = evaluation.load(file)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        if split != "all":
            conversations = [c for c in conversations if c.split == split]
        if not conversations:
            raise CommandError(f"No conversations in the {split!r} split.")
        report = evaluation.evaluate(conversations, backend=backend)
        self._print(report, backend, split)
        if show_errors:
            self._print_errors(report)

    def _print(self, report, backend, split):
        out = self.stdout.write
        out(f"Agent backend: {backend}; split: {split}; {len(report.outcomes)} conversations")
        out(
            f"| {'category':<16} | convs | fields right | endings right | guardrail breaks | awkward | texts to offer (hot) |"
        )
        out(
            f"|{'-' * 18}|-------|--------------|---------------|------------------|---------|----------------------|"
        )
        for category, row in [*report.rows().items(), ("all", report.total())]:
            name = f"**{category}**" if category == "all" else category
            out(
                f"| {name:<16} | {row.conversations:>5} | {row.field_accuracy:>11.1%} | "
                f"{row.endings_right:>4}/{row.conversations:<3} {row.ending_accuracy:>4.0%} | {row.breaks:>16} | "
                f"{row.awkward:>7} | {self._texts(row):>20} |"
            )
        total = report.total()
        out(f"Awkward replies per conversation: {total.awkward / total.conversations:.2f}; {TARGETS}")
        out("Fields (right / slots where either side has a value): " + ", ".join(
            f"{name} {accuracy:.0%}" for name, accuracy in report.field_accuracy().items()
        ))  # fmt: skip
        out("Endings (right / expected): " + ", ".join(
            f"{name} {right}/{total_}" for name, (right, total_) in report.ending_accuracy().items()
        ))  # fmt: skip
        if backend != "scripted":
            out(f"Turns answered by the scripted fallback: {sum(o.fallbacks for o in report.outcomes)}")

    @staticmethod
    def _texts(row) -> str:
        if row.texts_to_offer is None:
            return "-"
        missed = f" ({row.hot_never_offered} never)" if row.hot_never_offered else ""
        return f"{row.texts_to_offer:.1f} of {row.hot}{missed}"

    def _print_errors(self, report):
        for outcome in report.outcomes:
            wrong = outcome.wrong_fields()
            if not (wrong or not outcome.ending_right or outcome.awkward or outcome.breaks):
                continue
            self.stdout.write(f"\n--- {outcome.conversation.id} ({outcome.conversation.category}): ending "
                              f"{outcome.ending} (expected {outcome.conversation.expected_ending})")  # fmt: skip
            for name, (expected, got) in wrong.items():
                self.stdout.write(f"    {name}: expected {expected!r}, got {got!r}")
            for reason, reply in outcome.awkward:
                self.stdout.write(f"    AWKWARD {reason}: {reply}")
            for rule, reply in outcome.breaks:
                self.stdout.write(f"    BREAK {rule}: {reply}")
            for sender, text in outcome.transcript:
                self.stdout.write(f"    {sender:>8}: {text}")
