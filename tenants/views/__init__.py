"""Pages of the tenants app: the customers area and the checkout wizard."""
