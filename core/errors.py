"""The one exception every impossible layer configuration raises."""


class ConvConfigError(ValueError):
    """A convolution configuration that PyTorch would reject, explained in plain words.

    The message says what is wrong and what would fix it, so the dashboard can show it
    as it is and a notebook user can read it in a traceback.
    """
