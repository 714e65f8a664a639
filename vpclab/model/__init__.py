"""The model layer: resources, the EC2 verbs, errors, text catalogs. Imports nothing above it."""
