"""Families, guardians and children: binding, invites and care entrustment."""
