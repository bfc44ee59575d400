from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from conversations.qualification import evaluation
from conversations.qualification.runner import BACKENDS


class Command(BaseCommand):
    help = "Replay the evaluation conversations through the agent; print accuracy per field and per ending."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=BACKENDS, default="scripted")
        parser.add_argument("--file", default=str(evaluation.DEFAULT_PATH))
        parser.add_argument("--split", help="Only conversations of this split (dev, holdout)")
        parser.add_argument("--show-errors", action="store_true", help="Print each miss with its transcript")

    def handle(self, *args, backend, file, split, show_errors, **options):
        if backend == "claude" and not settings.ANTHROPIC_API_KEY:
            raise CommandError("--backend claude needs ANTHROPIC_API_KEY (and ANTHROPIC_MODEL).")
        try:
            conversations = evaluation.load(file)
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        if split:
            conversations = [c for c in conversations if c.split == split]
        if not conversations:
            raise CommandError("No conversations to evaluate.")
        report = evaluation.evaluate(conversations, backend=backend)
        self._print(report, backend)
        if show_errors:
            self._print_errors(report)

    def _print(self, report, backend):
        out = self.stdout.write
        out(f"Agent backend: {backend}; {len(report.outcomes)} conversations")
        out("Fields (share of conversations where the field ends right, unknown = null included):")
        for name, accuracy in report.field_accuracy().items():
            out(f"  {name:<18} {accuracy:6.1%}")
        out(f"  {'all fields':<18} {report.overall_field_accuracy():6.1%}")
        out(f"  {'stated facts only':<18} {report.stated_fact_accuracy():6.1%}")
        out("Endings (right / expected):")
        for name, (right, total) in report.ending_accuracy().items():
            out(f"  {name:<18} {right:>3} / {total:<3} {right / total:6.1%}")
        out(f"  {'all endings':<18} {report.overall_ending_accuracy():6.1%}")
        fallbacks = sum(o.fallbacks for o in report.outcomes)
        if backend != "scripted":
            out(f"Turns answered by the scripted fallback: {fallbacks}")

    def _print_errors(self, report):
        for outcome in report.outcomes:
            wrong = outcome.wrong_fields()
            if not wrong and outcome.ending == outcome.conversation.expected_ending:
                continue
            self.stdout.write(f"\n--- {outcome.conversation.id}: ending {outcome.ending} "
                              f"(expected {outcome.conversation.expected_ending})")  # fmt: skip
            for name, (expected, got) in wrong.items():
                self.stdout.write(f"    {name}: expected {expected!r}, got {got!r}")
            for sender, text in outcome.transcript:
                self.stdout.write(f"    {sender:>8}: {text}")
