"""API plumbing shared by every layer's endpoints: problem details, throttling, schema, JSON."""
