"""资源目录清单 (一旗县一清单): the county resource catalogue, its exports, and the management of resource units."""
