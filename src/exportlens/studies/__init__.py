"""Complete studies, each wiring measures, models and reports together."""
