"""One module per Klaviyo resource; each registers its operations with `routes.route(operationId)`."""
