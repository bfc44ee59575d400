"""Precision and recall of opt-out detection on the corpora in conversations/corpora/."""

from django.core.management.base import BaseCommand

from conversations.keywords import Keyword, classify, load_corpus


class Command(BaseCommand):
    help = "Print the opt-out detector's precision and recall on the repository's corpora."

    def handle(self, *args, **options):
        opt_outs, others, unclear = (
            load_corpus("opt_outs"),
            load_corpus("not_opt_outs"),
            load_corpus("unclear_refusals"),
        )
        missed = [m for m in opt_outs if classify(m) != Keyword.OPT_OUT]
        false_alarms = [m for m in others + unclear if classify(m) == Keyword.OPT_OUT]
        not_asked = [m for m in unclear if classify(m) != Keyword.MAYBE_OPT_OUT]
        true_positives = len(opt_outs) - len(missed)
        precision = true_positives / (true_positives + len(false_alarms)) if true_positives else 0.0
        recall = true_positives / len(opt_outs)
        self.stdout.write(
            f"opt-outs: {len(opt_outs)}, not opt-outs: {len(others)}, unclear refusals: {len(unclear)}\n"
            f"precision {precision:.1%}  recall {recall:.1%}  "
            f"unclear refusals asked about: {len(unclear) - len(not_asked)}/{len(unclear)}"
        )
        for title, messages in (("missed", missed), ("false alarms", false_alarms), ("not asked", not_asked)):
            for message in messages:
                self.stdout.write(f"  {title}: {message!r}")
