"""Schedule risk: Monte Carlo over three-point estimates and RAID risks, and what it reports."""
