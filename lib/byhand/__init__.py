"""byhand: the small NumPy deep-learning engine of the course *Deep Learning by Hand*.

Every module is course material: read it next to the chapter that builds it.
Core modules use only NumPy; plotting (`byhand.plots`) and widgets (`byhand.widgets`)
live in modules of their own, so the engine never needs a screen.
"""

__version__ = "0.1.0"
