"""Fill the database with N synthetic groups, for benchmarks and demos.

Search, "near me" and the facets must stay fast with far more groups than Belgium has today, and a
demo looks empty with only the real resources. This command writes realistic but invented groups
(see healingtogether/synthetic/generator.py), each marked `synthetic`, so they can be told apart
and removed with --delete. `make run` and `make data` never load them; only this command does.

The same N and seed give the same groups. A seed that was already used is refused, naming the
seed, and nothing is written: delete first, or pick another seed. The whole run is one
transaction, so a failure or Ctrl-C leaves nothing behind.
"""

import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from healingtogether.synthetic.generator import (
    MAX_COUNT,
    SyntheticError,
    delete_synthetic,
    generate_groups,
)


def group_count(value: str) -> int:
    """N as argparse reads it, so that a bad N is a usage error rather than a traceback."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= count <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{count} is not between 1 and {MAX_COUNT:,}")
    return count


class Command(BaseCommand):
    help = (
        "Create N realistic synthetic groups (all group kinds, topics, formats, schedules, spread "
        "over real postcodes), marked synthetic, for benchmarks and demos; `make run` never loads "
        "them. Same N and seed, same groups; a seed already used is refused. --delete removes "
        "every synthetic group and organisation, and nothing else."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "count",
            metavar="N",
            nargs="?",
            type=group_count,
            help=f"how many groups to create, 1 to {MAX_COUNT:,}",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="seed of the random choices (default: 1)"
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="remove every synthetic group, its organisation, locations, schedules and "
            "search rows, then exit",
        )

    def handle(self, *args, **options):
        if options["delete"]:
            groups, organisations = delete_synthetic()
            self.stdout.write(
                f"Deleted {groups} synthetic groups and {organisations} synthetic organisations."
            )
            return
        if options["count"] is None:
            raise CommandError("Say how many groups to create, e.g. generate_groups 1000.")

        started = time.monotonic()
        self.progress_shown = False
        try:
            summary = generate_groups(
                options["count"],
                options["seed"],
                on_progress=self.show_progress if options["verbosity"] >= 1 else None,
            )
        except SyntheticError as error:
            raise CommandError(str(error)) from error
        finally:
            # End the progress line that was rewritten in place.
            if self.progress_shown and self.stderr.isatty():
                self.stderr.write("")
        self.stdout.write(
            f"Created {summary.groups} synthetic groups (seed {options['seed']}) under "
            f"{summary.organisations} organisations, with {summary.locations} locations and "
            f"{summary.schedules} schedules, in {time.monotonic() - started:.1f} s."
        )

    def show_progress(self, done: int, total: int):
        """One line, rewritten in place on a terminal; one line per chunk in a log file."""
        self.progress_shown = True
        line = f"generating groups: {done}/{total} ({done * 100 // total}%)"
        if self.stderr.isatty():
            self.stderr.write(f"\r{line}", style_func=str, ending="")
            self.stderr.flush()
        else:
            self.stderr.write(line, style_func=str)
