"""The objects deploy/kubernetes/generate.py writes, one module per part of the install."""
