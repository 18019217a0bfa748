-- foray_substrate 0.4.0 -> 0.5.0 (ALTER EXTENSION foray_substrate UPDATE).
-- Assembled by the Makefile from sql/upgrades/0.4.0--0.5.0/*.sql, one
-- fragment per concern, in name order.  The data is kept as it is.
\echo Use "ALTER EXTENSION foray_substrate UPDATE TO '0.5.0'" to load this file. \quit
