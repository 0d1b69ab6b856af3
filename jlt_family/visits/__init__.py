"""家访: home visits planned by teachers, agreed with families, recorded, and their coverage."""
