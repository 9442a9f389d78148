class AwsAccessError(Exception):
    """AWS could not be reached as this account at all: the scan fails with this reason."""
