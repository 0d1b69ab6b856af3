"""Access: what the caller may see (the scope queries behind ``Actor``) and the trail of who saw what."""
