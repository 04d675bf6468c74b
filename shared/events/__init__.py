"""Event contracts: the CloudEvents envelope, the data models, one codec."""
