"""教联体的组建与审批: drafting an alliance, submitting it, the education bureau's review, suspension, history."""
