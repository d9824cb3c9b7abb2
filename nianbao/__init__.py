"""nianbao (年报): government information-disclosure annual reports as checked records."""
__version__ = "0.1.0"
