from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conversations.qualification.guardrail_corpus import DEFAULT_CORPUS, load_corpus, score


class Command(BaseCommand):
    help = "Run the reply guardrails over the corpus; print precision and recall, and every miss."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_CORPUS))

    def handle(self, *args, file, **options):
        try:
            rows = load_corpus(Path(file))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        result = score(rows)
        out = self.stdout.write
        must_block = sum(row["block"] for row in rows)
        out(
            f"Guardrail corpus: {must_block} replies that must be blocked, {len(rows) - must_block} that must pass"
        )
        by_category = defaultdict(lambda: [0, 0])
        for row in rows:
            if row["block"]:
                by_category[row["category"]][1] += 1
        for row in result["caught"]:
            by_category[row["category"]][0] += 1
        for category, (caught, total) in sorted(by_category.items()):
            out(f"  {category:<26} {caught:>3} / {total:<3} blocked")
        out(f"Precision: {result['precision']:.1%}   Recall: {result['recall']:.1%}")
        for row in result["missed"]:
            out(f"  MISSED ({row['category']}): {row['reply']}")
        for row, rule in result["false_alarms"]:
            out(f"  BLOCKED BY MISTAKE ({rule}): {row['reply']}")
