"""IVR self-service: menus as data, the menu runner, and the portal adapter for status/booking."""
