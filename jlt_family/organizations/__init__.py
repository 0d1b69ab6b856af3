"""Regions, alliances (教联体), schools, classes, resource units and staff roles."""
