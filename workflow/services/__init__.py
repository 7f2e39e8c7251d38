"""Services: the only way state changes. Each takes a unit of work and an actor."""
