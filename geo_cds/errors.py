"""Error types. The CLI maps these to exit codes; nothing matches on message text."""


class GeoCdsError(Exception):
    """Base class of every error geo-cds raises on purpose."""


class PlanError(GeoCdsError):
    """The plan file (or a CLI override) is malformed or names something that does not exist."""


class LayerError(GeoCdsError):
    """An input layer cannot be read or is unusable as a whole."""


class CrsError(LayerError):
    """A layer has no CRS, a wrong one, or one that cannot be transformed safely."""


class CodeError(LayerError):
    """Commune codes are wrong, of the wrong vintage, or cannot be converted without guessing."""


class ValidationFailed(GeoCdsError):
    """Inputs have errors; ``problems`` holds every one of them (see ``geo_cds.problems``)."""

    def __init__(self, problems):
        self.problems = problems
        from geo_cds.problems import ProblemLog

        errors = [p for p in problems if p.severity == "error"]
        grouped = ProblemLog(errors).grouped()
        lines = [f"{len(errors)} error(s) in the inputs:"] + [f"  {p}" for p in grouped[:50]]
        if len(grouped) > 50:
            lines.append(f"  … and {len(grouped) - 50} more (see the rejects file)")
        super().__init__("\n".join(lines))


class OutputExistsError(GeoCdsError):
    """The output folder exists and ``overwrite`` was not given."""


class ForeignFolderError(OutputExistsError):
    """The output folder exists and was not created by geo-cds: it is never replaced."""


class OutputError(GeoCdsError):
    """The output folder cannot be written: permissions, a read-only or a full disk."""


class CheckFailed(GeoCdsError):
    """A run's self-check failed: its figures do not hold together. A defect, not a warning."""

    def __init__(self, failed):
        self.failed = list(failed)
        lines = [f"{len(self.failed)} self-check(s) failed; nothing was written "
                 "(this is a defect in geo-cds or its inputs, please report it):"]
        lines += [f"  {c.name()}: {c.detail()}" for c in self.failed]
        super().__init__("\n".join(lines))
