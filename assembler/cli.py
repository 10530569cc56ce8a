"""The command line: the only place that parses arguments, prints and exits."""

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path

from assembler import __version__
from assembler.errors import AssemblerError, ExitCode

MAX_PROBLEM_LINES = 5

EPILOG = """\
example:
  assemble packs/iib-2017-01-24/pack.yaml -o out/

Writes two PDFs named after the meeting: the members' edition (every paper,
private ones marked NOT FOR PUBLICATION) and the public edition (private papers
replaced page for page by restricted pages).

exit status: 0 built; 1 internal error (please report it); 2 a problem with
the spec or a paper, named on stderr with its file, key and line.
"""


def make_parser():
    parser = argparse.ArgumentParser(
        prog="assemble",
        description="Build the agenda pack of a meeting from its YAML spec.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", type=Path, help="the meeting spec (pack.yaml)")
    parser.add_argument("-o", "--output", type=Path, help="folder for the editions (default: the spec's folder)")
    parser.add_argument("--duplex", action="store_true",
                        help="for double-sided printing: every paper starts on a right-hand page, blank versos between")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but problems")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    parser.add_argument("--version", action="version", version=f"assemble {__version__}")
    return parser


def main(argv=None):
    args = make_parser().parse_args(argv)
    _quiet_libraries(args.debug)
    from assembler.build import build  # imported late: --help and --version stay fast

    started = time.monotonic()
    try:
        result = build(args.spec, args.output, duplex=args.duplex)
    except AssemblerError as error:
        _print_problems(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("assemble: interrupted; earlier editions are unchanged", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            traceback.print_exc()
        else:
            kind, value, _ = sys.exc_info()
            print(f"assemble: internal error: {kind.__name__}: {value}", file=sys.stderr)
            print("This is a bug in assemble. Please report it with the spec, and run again "
                  "with --debug to see the traceback.", file=sys.stderr)
        return ExitCode.internal_error
    if not args.quiet:
        seconds = time.monotonic() - started
        print(f"Built {result.page_count} pages ({result.numbered_pages} numbered) in {seconds:.1f} s:")
        print(f"  members' edition: {result.members}")
        print(f"  public edition:   {result.public}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return ExitCode.ok


def _quiet_libraries(debug):
    """WeasyPrint and pypdf log every quirk of an input file; the officer needs
    only our own warnings, which name the paper.  ``--debug`` shows theirs too."""
    level = logging.DEBUG if debug else logging.CRITICAL
    for name in ("weasyprint", "fontTools", "pypdf"):
        logging.getLogger(name).setLevel(level)


def _print_problems(error):
    problems = getattr(error, "problems", [str(error)])
    for line in problems[:MAX_PROBLEM_LINES]:
        print(f"assemble: {line}", file=sys.stderr)
    if len(problems) > MAX_PROBLEM_LINES:
        print(f"assemble: ... and {len(problems) - MAX_PROBLEM_LINES} more problems", file=sys.stderr)
