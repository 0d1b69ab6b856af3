"""评估报表: the evaluation of schools, alliances and counties against the policy numbers (see service.py)."""
