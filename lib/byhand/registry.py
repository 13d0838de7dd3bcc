"""Looking things up by name, as Keras does: `Dense(8, activation="relu")`.

Each family (activations, losses, initializers, regularizers, optimizers) keeps a plain dict
from name to class, and its `get` calls `lookup`: a name (in any letter case) gives a new
instance with the class's defaults, an instance is returned as it is, and anything else is an
error that lists the names there are.
"""


def lookup(family, identifier, registry, base):
    """registry[name]() for a name, `identifier` itself for an instance of `base`."""
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in registry:
        return registry[identifier.lower()]()
    raise ValueError(
        f"Unknown {family} {identifier!r}; valid names are: {', '.join(registry)} "
        "(or pass an instance)"
    )
