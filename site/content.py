"""Loading and rendering articles and FAQ."""


def published_articles():
    """Published articles, newest first."""
    return []
