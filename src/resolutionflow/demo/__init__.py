"""The demo: Northwind MSP's people, flows and a month of sessions, and loading them."""
