"""Visit dispatch: sends certified collectors, in their own territory and hours, to visits borrowers confirmed."""
