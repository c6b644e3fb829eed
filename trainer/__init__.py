"""Training side of the ReNAS predictor product: models, losses, training, baselines, ONNX export, CLI.

Needs the ``train`` extra (torch, scikit-learn, lightgbm, onnx); the service never imports this package.
"""
