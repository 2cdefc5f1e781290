"""Built-in metric families, one module each; the registry imports them on demand."""
