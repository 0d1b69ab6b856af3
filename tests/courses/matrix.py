"""Permission-matrix rows of courses: (name, method, path(world), body(world) or None, statuses per role).

Collected by tests/test_permission_matrix.py; see its helpers (``expect``) and the ``world`` cast.
"""

ENDPOINTS = []
