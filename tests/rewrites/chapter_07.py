"""Equivalent rewrites of chapter 07's solutions: each must earn full marks."""

# ruff: noqa: E501 - rewrites are whole notebook cells kept as strings, one line each where short.

START = "keras.utils.clear_session()\nkeras.utils.set_random_seed(0)\n"

REWRITES = [
    dict(cell="ex1_encoder", why="shortcut built first, Add layer with operands swapped, Flatten in its own line",
         code=START + '''digit = keras.Input(shape=(8, 8, 1), name="digit")
shortcut = layers.Conv2D(16, 1)(digit)
path = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(path)
residual = layers.Add(name="residual_add")([shortcut, path])
residual = layers.Activation("relu")(residual)
pooled = layers.MaxPooling2D(2)(residual)
flat = layers.Flatten()(pooled)
features = layers.Dense(32, activation="relu", name="features")(flat)
encoder = keras.Model(inputs=digit, outputs=features, name="encoder")
'''),
    dict(cell="ex1_encoder", why="tuple sizes, MaxPool2D alias, pool_size= keyword",
         code=START + '''digit = keras.Input((8, 8, 1), name="digit")
path = layers.Conv2D(16, (3, 3), padding="same", activation="relu")(digit)
path = layers.Conv2D(16, (3, 3), padding="same")(path)
shortcut = layers.Conv2D(16, (1, 1))(digit)
x = layers.add([path, shortcut], name="residual_add")
x = layers.Activation(keras.activations.relu)(x)
x = layers.MaxPool2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)
features = layers.Dense(units=32, activation="relu", name="features")(x)
encoder = keras.Model(digit, features, name="encoder")
'''),
    dict(cell="ex1_encoder", why="a ReLU layer for Activation('relu') (the same function)",
         code=START + '''digit = keras.Input(shape=(8, 8, 1), name="digit")
path = layers.Conv2D(16, 3, padding="same", activation="relu")(digit)
path = layers.Conv2D(16, 3, padding="same")(path)
shortcut = layers.Conv2D(16, 1)(digit)
residual = layers.add([path, shortcut], name="residual_add")
residual = layers.ReLU()(residual)
pooled = layers.MaxPooling2D(2)(residual)
features = layers.Dense(32, activation="relu", name="features")(layers.Flatten()(pooled))
encoder = keras.Model(digit, features, name="encoder")
'''),
    dict(cell="ex2_model", why="Subtract layer (what layers.subtract makes), keyword Model",
         code=START + '''digit_a = keras.Input(shape=(8, 8, 1), name="digit_a")
digit_b = keras.Input(shape=(8, 8, 1), name="digit_b")
encoded_a = encoder(digit_a)
encoded_b = encoder(digit_b)
difference = layers.Subtract(name="difference")([encoded_a, encoded_b])
hidden = layers.Dense(32, activation="relu", name="hidden")(difference)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(hidden)
ink_difference = layers.Dense(1, name="ink_difference")(hidden)
model = keras.Model(inputs=[digit_a, digit_b], outputs=[same_digit, ink_difference],
                    name="capstone")
'''),
    dict(cell="ex2_model", why="heads built in the other order (outputs kept in order), activation=None",
         code=START + '''digit_a = keras.Input((8, 8, 1), name="digit_a")
digit_b = keras.Input((8, 8, 1), name="digit_b")
encoded_a, encoded_b = encoder(digit_a), encoder(digit_b)
difference = layers.subtract([encoded_a, encoded_b], name="difference")
hidden = layers.Dense(units=32, activation="relu", name="hidden")(difference)
ink_difference = layers.Dense(1, activation=None, name="ink_difference")(hidden)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(hidden)
model = keras.Model([digit_a, digit_b], [same_digit, ink_difference], name="capstone")
'''),
    dict(cell="ex3_compile", why="dicts in another key order, a metric string instead of a one-item list",
         code='''model.compile(
    optimizer=keras.optimizers.Adam(0.003),
    loss={"ink_difference": "mse", "same_digit": "binary_crossentropy"},
    loss_weights={"ink_difference": 0.1, "same_digit": 1.0},
    metrics={"same_digit": "accuracy"},
)
'''),
    dict(cell="ex3_compile", why="dict() constructors, 'mean_squared_error' spelled out",
         code='''optimizer = keras.optimizers.Adam(learning_rate=0.003)
model.compile(optimizer=optimizer,
              loss=dict(same_digit="binary_crossentropy", ink_difference="mean_squared_error"),
              loss_weights=dict(same_digit=1.0, ink_difference=0.1),
              metrics=dict(same_digit=["accuracy"]))
'''),
    dict(cell="ex4_fit", why="x=/y= keywords in another order",
         code='''keras.utils.set_random_seed(0)
history = model.fit(x=x, y=y, batch_size=16, epochs=10, validation_split=0.2, verbose=0)
'''),
    dict(cell="ex4_fit", why="shuffle=True is the default",
         code='''keras.utils.set_random_seed(0)
history = model.fit(x, y, epochs=10, batch_size=16, verbose=0, validation_split=0.20, shuffle=True)
'''),
]
