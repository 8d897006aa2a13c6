"""The errors the assistant reports to a person: each message names the file or setting and the fix."""


class AssistantError(Exception):
    """Root of every error the assistant raises on purpose."""


class LoadError(AssistantError):
    """A file could not be read as a document (the message says which file and why)."""


class IndexError_(AssistantError):
    """The index is missing, locked, built with another model, or unreachable."""


class IndexLockedError(IndexError_):
    """Another process is writing to the same index."""


class ModelError(AssistantError):
    """An embedding or language model could not be loaded."""
