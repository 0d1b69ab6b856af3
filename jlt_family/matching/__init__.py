"""需求清单 ↔ 资源清单: schools post needs, the system proposes matching units and offerings, admins accept."""
