"""The one error type the export tooling raises for problems a user can fix."""


class ExportError(Exception):
    """A model could not be exported; the message names the model, file or option and what to do."""
