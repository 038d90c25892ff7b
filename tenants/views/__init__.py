"""Pages of the tenants app: the customers area (the purchase wizard is purchase/views/)."""
