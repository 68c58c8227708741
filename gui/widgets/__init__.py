"""Small widgets shared by panels, views and dialogs."""
