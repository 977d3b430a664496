"""Plans from templates: the catalogue, the generator, and options side by side."""
