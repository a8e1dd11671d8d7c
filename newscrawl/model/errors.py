"""Errors every part of newscrawl may raise, so that none has to import another's to say what is wrong."""


class ConfigError(ValueError):
    """A setting or argument that cannot be used; the message is one line saying what to fix."""
