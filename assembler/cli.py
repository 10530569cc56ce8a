"""The command line: the only place that parses arguments, prints and exits."""

import argparse
import gc
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from assembler import __version__
from assembler.errors import AssemblerError, ExitCode
from assembler.scratch import remove_scratch_folder, use_scratch_folder

MAX_PROBLEM_LINES = 5

LGA = "packs/lga-iib-2017-01-24/pack.yaml"  # the examples of the help texts: packs in the repo
HARBOURSIDE = "packs/harbourside-audit-2025-10-15/pack.yaml"
CLOSED_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a command whose reader left (assemble schema | head)
BUILD_EXAMPLE = (f"example:\n  assemble {LGA} -o out/\n\n"
                 "Writes two PDFs named after the meeting: the members' edition (every paper,\n"
                 "private ones marked NOT FOR PUBLICATION) and the public edition (private papers\n"
                 "replaced page for page by restricted pages).")

COMMANDS = {
    "build": ("build the members' and the public edition (the same as assemble SPEC)",
              BUILD_EXAMPLE.replace("assemble ", "assemble build ", 1)),
    "new": ("write a small, complete pack to start from, in a new folder",
            "example:\n  assemble new licensing-committee\n\n"
            "A commented pack.yaml (with pack.schema.json for editors), a venue's guidance and\n"
            "travel notes, a Markdown report, a private item and a Word report drafted from the\n"
            "house template. It builds at once. An existing file is never overwritten."),
    "check": ("check a spec and every file it names, without writing anything",
              f"example:\n  assemble check {LGA}\n\n"
              "Prints every problem at once (file, key, line) and warns when the pack would go out\n"
              "fewer than five clear days before the meeting, or a private item lacks 28 clear days'\n"
              "notice (meeting.dispatch and meeting.private_notice in the spec).\n"
              "exit status: 0 the pack can be built; 2 it cannot."),
    "schema": ("print the JSON Schema of pack.yaml, for editors",
               "example:\n  assemble schema > pack.schema.json\n\n"
               "Then put  # yaml-language-server: $schema=pack.schema.json  on the first line of\n"
               "pack.yaml, and VS Code's YAML extension completes and checks it."),
    "scaffold": ("write a draft Word report for every .docx paper that does not exist yet",
                 f"example:\n  assemble scaffold {LGA}\n\n"
                 "Drafts come from the house template (templates/word/report.docx, or word/report.docx\n"
                 "in the spec's house.templates folder). An existing file is never overwritten."),
    "publish": ("write the folders to dispatch and to publish: members/ and public/",
                f"example:\n  assemble publish {HARBOURSIDE} -o publish/\n\n"
                "members/: the members' edition. public/: the public edition, the agenda front sheet,\n"
                "each public item's paper as its own PDF (the pack's page numbers), index.html (an\n"
                "accessible web page of the meeting, no JavaScript) and meeting.json. Nothing private\n"
                "reaches public/."),
    "serve": ("show the pack live in the browser, rebuilt whenever a file is saved",
              f"example:\n  assemble serve {HARBOURSIDE} --open\n\n"
              "Serves on http://127.0.0.1:8000/ (this machine only; --host to listen elsewhere, with a\n"
              "warning) the meeting, the agenda with its ranges, the last build's warnings and errors, and\n"
              "both editions page by page. Every save of the spec or a file in its folder rebuilds the pack\n"
              "and writes both editions as assemble does. Stop it with Ctrl-C."),
    "minutes": ("write the skeleton of the meeting's note as a Word file",
                f"example:\n  assemble minutes {LGA} -o note-2017-01-24.docx\n\n"
                "Items, date, venue and an attendance list from the membership. Fill it in after the\n"
                "meeting and give it as previous_note in the next meeting's spec."),
    "help": ("show the help of assemble, or of one command", "example:\n  assemble help publish"),
}

USAGE = ("%(prog)s [build] SPEC [-o OUTPUT] [--duplex] [--no-cache] [-q] [--strict] [--debug]\n"
         f"       %(prog)s {{{','.join(name for name in COMMANDS if name != 'build')}}} ...")

EPILOG = BUILD_EXAMPLE + """

commands (assemble help COMMAND, or assemble COMMAND --help, for each):
""" + "".join(f"  {name:<9} {summary}\n" for name, (summary, _) in COMMANDS.items()) + """
exit status: 0 done; 1 internal error (please report it); 2 a problem with
the spec or a paper, named on stderr with its file, key and line.
"""


def _parser(prog, description, epilog, usage=None):
    parser = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog, usage=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    parser.add_argument("--version", action="version", version=f"assemble {__version__}")
    return parser


def _build_options(parser, output_help):
    parser.add_argument("spec", type=Path, help="the meeting spec (pack.yaml)")
    parser.add_argument("-o", "--output", type=Path, help=output_help)
    parser.add_argument("--duplex", action="store_true",
                        help="for double-sided printing: every paper starts on a right-hand page")
    parser.add_argument("--no-cache", action="store_true",
                        help="render every part afresh (the cache of rendered parts is neither read nor written)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but problems and warnings")
    parser.add_argument("--strict", action="store_true",
                        help="refuse (exit 2, nothing written) a pack with any warning: a word or picture not "
                             "printed, a page overflowing, a paper not accessible (the spec's strict: true)")


def make_parser(command=None):
    if command is None:
        parser = _parser("assemble", "Build the agenda pack of a meeting from its YAML spec.", EPILOG, USAGE)
        _build_options(parser, "folder for the editions (default: the spec's folder)")
        return parser
    summary, epilog = COMMANDS[command]
    parser = _parser(f"assemble {command}", summary[0].upper() + summary[1:] + ".", epilog)
    if command == "build":
        _build_options(parser, "folder for the editions (default: the spec's folder)")
    elif command == "publish":
        _build_options(parser, "the folder to write (default: publish/ beside the spec)")
    elif command == "new":
        parser.add_argument("folder", type=Path, help="the folder to write the pack into (made if missing)")
    elif command == "help":
        parser.add_argument("topic", nargs="?", choices=list(COMMANDS), metavar="COMMAND",
                            help=f"one of: {', '.join(COMMANDS)}")
    elif command != "schema":
        parser.add_argument("spec", type=Path, help="the meeting spec (pack.yaml)")
    if command == "minutes":
        parser.add_argument("-o", "--output", type=Path, help="the Word file to write (default: note-DATE.docx beside the spec)")
    if command == "serve":
        parser.add_argument("-o", "--output", type=Path, help="folder for the editions (default: the spec's folder)")
        parser.add_argument("--port", type=_port, default=8000, help="the port to listen on (default 8000; 0: any free one)")
        parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1, this machine)")
        parser.add_argument("--open", action="store_true", help="open the page in the web browser")
    return parser


def run():
    """The installed command: ``main``, then out at once.  A build leaves millions of
    objects that the interpreter would otherwise tidy away one by one on the way out
    (a twentieth of a rebuild); everything worth keeping is already on disk."""
    try:
        code = main()
    except SystemExit as leaving:  # argparse has printed --help, --version or a usage error
        code = leaving.code if isinstance(leaving.code, int) else 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left before the end: what it read was all it wanted
        code = code or CLOSED_PIPE
    except OSError:  # nothing more can be said
        pass
    remove_scratch_folder()
    os._exit(int(code))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    args = make_parser(command).parse_args(argv[1:] if command else argv)
    _quiet_libraries(args.debug)
    use_scratch_folder()
    try:
        return _run(command, args)
    except AssemblerError as error:
        _print_problems(error, args.debug, everything=command == "check")
        return error.exit_code
    except KeyboardInterrupt:
        print("assemble: interrupted; earlier files are unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output into a closed pipe (assemble schema | head -1): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that the last flush cannot fail
        return CLOSED_PIPE
    except Exception:
        if args.debug:
            traceback.print_exc()
        else:
            kind, value, _ = sys.exc_info()
            print(f"assemble: internal error: {kind.__name__}: {value}", file=sys.stderr)
            print("This is a bug in assemble. Please report it with the spec, and run again "
                  "with --debug to see the traceback.", file=sys.stderr)
        return ExitCode.internal_error


def _run(command, args):
    if command == "help":
        make_parser(None if args.topic is None else args.topic).print_help()
    elif command == "new":
        from assembler.new import new_pack

        for path in new_pack(args.folder):
            print(f"wrote {path}")
        print(f"Build it with: assemble {args.folder / 'pack.yaml'}")
    elif command == "schema":
        from assembler.spec import json_schema

        print(json.dumps(json_schema(), indent=2))
    elif command == "check":
        from assembler.check import check

        result = check(args.spec)
        print(f"{args.spec}: the pack can be built: {result.items} items, {result.papers} papers and appendices"
              + (f", {result.private_items} private" if result.private_items else "") + ".")
        _print_warnings(result.warnings)
    elif command == "scaffold":
        from assembler.drafts import scaffold

        written = scaffold(args.spec)
        for path in written:
            print(f"wrote draft {path}")
        if not written:
            print("every Word paper the spec names already exists: nothing written")
    elif command == "publish":
        from assembler.publish import publish

        folder, warnings = publish(args.spec, args.output, use_cache=not args.no_cache, duplex=args.duplex,
                                     strict=args.strict)
        if not args.quiet:
            print(f"Published into {folder.parent}:")
            for path in sorted(path for name in ("members", "public") for path in (folder.parent / name).iterdir()):
                print(f"  {path}")
        _print_warnings(warnings)
    elif command == "minutes":
        from assembler.drafts import minutes

        print(f"wrote the note's skeleton: {minutes(args.spec, args.output)}")
    elif command == "serve":
        _serve(args)
    else:
        _build(args)
    return ExitCode.ok


def _port(text):
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)")
    return int(text)


def _serve(args):
    import signal

    from assembler.render.jobs import Workers
    from assembler.serve import check_host, serve

    if not check_host(args.host):
        print(f"assemble: warning: serving on {args.host}: anyone who can reach it sees the members' edition, "
              "private papers included", file=sys.stderr)

    def ready(server):
        print(f"Serving the pack of {args.spec} on {server.url} (Ctrl-C to stop)", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(server.url)

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped like Ctrl-C: its workers with it
    with Workers() as workers:
        serve(args.spec, workers, args.output, args.host, args.port, tell=lambda line: print(line, flush=True),
              ready=ready)


def _build(args):
    started = time.monotonic()
    # A build makes and drops objects by the million (WeasyPrint's boxes): the cycle
    # collector need not look at them every 700 allocations, nor ever at what is loaded now.
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        from assembler.build import build  # imported here: --help and --version stay fast
        from assembler.render.jobs import Workers

        gc.freeze()
        with Workers() as workers:  # they start with the binder loaded, and load WeasyPrint while we read
            _build_with(args, workers, started, build)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _build_with(args, workers, started, build):
    progress = _Progress() if sys.stderr.isatty() and not args.quiet else None
    try:
        result = build(args.spec, args.output, duplex=args.duplex, use_cache=not args.no_cache, progress=progress,
                       workers=workers, strict=args.strict)
    finally:
        if progress:
            progress.done()
    if not args.quiet:
        seconds = time.monotonic() - started
        reused = f", {result.cached} of {result.cached + result.rendered} parts from the cache" if result.cached else ""
        print(f"Built {result.page_count} pages ({result.numbered_pages} numbered) in {seconds:.1f} s{reused}:")
        print(f"  members' edition: {result.members}")
        print(f"  public edition:   {result.public}")
        for path in result.supplements:
            print(f"  supplement:       {path}")
    _print_warnings(result.warnings)


class _Progress:
    """The build's stages as bars on a terminal's stderr (rich), cleared when it ends."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Column

        what = TextColumn("[dim]{task.fields[what]}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1))
        self.bars = Progress(TextColumn("{task.description:<21}"), BarColumn(bar_width=20), MofNCompleteColumn(),
                             TimeElapsedColumn(), what, console=console or Console(stderr=True), transient=True,
                             expand=True)
        self.escape = escape  # a title's [brackets] are not markup
        self.task = None

    def stage(self, description, total):
        if self.task is None:
            self.bars.start()
        else:
            self.bars.update(self.task, what="")
        self.task = self.bars.add_task(description, total=total, what="")

    def advance(self, what):
        self.bars.update(self.task, advance=1, what=self.escape(what))

    def done(self):
        if self.task is not None:
            self.bars.stop()


def _quiet_libraries(debug):
    """WeasyPrint and pypdf log every quirk of an input file; the officer needs
    only our own warnings, which name the paper.  ``--debug`` shows theirs too."""
    level = logging.DEBUG if debug else logging.CRITICAL
    for name in ("weasyprint", "fontTools", "pypdf"):
        logging.getLogger(name).setLevel(level)


def _print_warnings(warnings):
    if warnings:
        print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}:", file=sys.stderr)
        for warning in warnings:
            print(f"  warning: {warning}", file=sys.stderr)


def _print_problems(error, debug=False, everything=False):
    """The first few problems (``everything``: all, as `assemble check` promises); with ``debug``,
    the error under each."""
    problems = getattr(error, "problems", [str(error)])
    for line in problems if everything else problems[:MAX_PROBLEM_LINES]:
        print(f"assemble: {line}", file=sys.stderr)
        if debug and getattr(line, "detail", None):
            print(f"  (underlying error: {line.detail})", file=sys.stderr)
    if len(problems) > MAX_PROBLEM_LINES and not everything:
        print(f"assemble: ... and {len(problems) - MAX_PROBLEM_LINES} more (assemble check lists them all)",
              file=sys.stderr)
