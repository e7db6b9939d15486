"""What ``pft`` reports as a failure (exit code 1): a chapter that failed, or a book that could not
be built.  A module of its own, so the command line catches them without loading papermill."""


class ChapterFailed(RuntimeError):
    """A chapter notebook failed; the message names the chapter and, where known, the cell."""


class BuildFailed(RuntimeError):
    """The book could not be built; the message says which chapter or step failed."""
