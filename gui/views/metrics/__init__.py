"""The metrics view: how good the predictions are, beyond the cost.

Classification: the confusion matrix of the training or the test set (counts, or shares of
each true class), with precision, recall and F1 per class. Regression: R², RMSE and MAE on both
sets and the predictions plotted against the targets.

``model`` (no Qt, tested without a display) says what to show; ``canvas`` paints the matrix and
the parity plot; ``widget.MetricsView`` wires them. Nothing is imported here, so the model loads
without Qt.
"""
