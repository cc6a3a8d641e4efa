"""communique: official communications -> a source-linked knowledge base."""
__version__ = "0.1.0"
EXTRACTOR = f"communique {__version__}"
