"""家长学校: the parent-school catalogue, enrolment with waitlist, check-in, learning hours and feedback."""
