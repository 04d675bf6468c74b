"""The services of the collections platform, one package each."""
