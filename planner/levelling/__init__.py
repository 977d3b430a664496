"""Resources: use per day, over-allocation, and levelled schedules (heuristic and solver)."""
