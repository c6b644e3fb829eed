"""Tiny hand-written cells whose validity and isomorphism a reader can check by eye."""

CONV3 = "conv3x3-bn-relu"
POOL = "maxpool3x3"

# input -> conv3x3 -> output
NB101_CHAIN = {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", CONV3, "output"]}
# input -> {conv3x3, maxpool} -> output, and the same network with the two branches listed swapped
NB101_BRANCHES = {
    "matrix": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
    "ops": ["input", CONV3, POOL, "output"],
}
NB101_BRANCHES_SWAPPED = {
    "matrix": [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
    "ops": ["input", POOL, CONV3, "output"],
}
# input -> conv5x5 (not an NB-101 op) -> output
NB101_BAD_OP = {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", "conv5x5", "output"]}

NB201_CONVS = {
    "arch": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
}
NB201_SKIPS = {
    "arch": "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
}
NB201_BAD_OP = {
    "arch": "|conv_7x7~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
}
