"""byhand: the small NumPy deep-learning engine of the course *Deep Learning by Hand*.

Every module is course material: read it next to the chapter that builds it. The names
follow Keras, so what you learn here carries over:

    from byhand import Input, Sequential
    from byhand.layers import Dense
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=10, validation_split=0.2)

Core modules use only NumPy; plotting (`byhand.plots`) and widgets (`byhand.widgets`) live
in modules of their own, so the engine never needs a screen.
"""

from byhand.model import Input, Model, Sequential

__all__ = ["Input", "Model", "Sequential"]
__version__ = "0.1.0"
