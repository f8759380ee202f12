"""DeltaFlow: error backpropagation shown one formula at a time."""
