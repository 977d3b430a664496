"""The plan model and its schedule: values, validation, the working calendar, the link network
and the passes over it."""
